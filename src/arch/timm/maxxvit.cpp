// timm MaxxVit (timm/models/maxxvit.py) from the registered MaxxVitCfg: Stem (conv1, norm1, conv2), MaxxVitStages of
// 'C' blocks (MbConvBlock or ConvNeXtBlock), 'T' TransformerBlock2d (Attention2d, ConvMlp), 'M' MaxxVitBlock (conv +
// block / grid PartitionAttentionCl) and 'PM' ParallelMaxxVitBlock, relative position bias / bias_tf / mlp; final norm
// + ClassifierHead, or NormMlpClassifierHead when head_hidden_size is set. CoAtNet, MaxViT, MaxxViT (v1/v2).
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Cfg {
  const Json& conv;  // MaxxVitConvCfg
  const Json& tr;    // MaxxVitTransformerCfg
  int64_t window;    // partition size: img_size // partition_ratio
  const timm::Args& a;
  std::string s(const Json& j, const char* k) const { return j.at(k).is_string() ? j.at(k).get<std::string>() : ""; }
  bool b(const Json& j, const char* k) const { return j.at(k).is_boolean() && j.at(k).get<bool>(); }
  bool mbconv() const { return s(conv, "block_type") == "mbconv"; }
  // MaxxVitConvCfg.__post_init__: batchnorm2d for MBConv, layernorm2d for ConvNeXt blocks.
  std::string conv_norm() const {
    std::string n = s(conv, "norm_layer");
    return n.empty() ? (mbconv() ? "batchnorm2d" : "layernorm2d") : n;
  }
};

// get_norm_layer / get_norm_act_layer over `dim`: batchnorm2d -> BatchNorm2d (with act: BatchNormAct2d),
// layernorm2d -> LayerNorm2d (LayerNormAct2d), layernorm -> LayerNorm.
ModulePtr norm(const Cfg& c, const std::string& n, int64_t dim, bool act = false) {
  if (n == "batchnorm2d") return act ? timm::bn_act(dim) : batch_norm(dim);
  if (n != "layernorm2d" && n != "layernorm") c.a.unsupported("norm_layer " + n);
  auto m = layer_norm(dim, true, act ? "LayerNormAct2d" : n == "layernorm" ? "LayerNorm" : "LayerNorm2d");
  if (act) {
    m->add("drop", leaf("Identity"));
    m->add("act", leaf("GELU"));
  }
  return m;
}

ModulePtr downsample(int64_t in, int64_t out, bool bias) {
  auto d = make("Downsample2d");
  d->add("pool", leaf("AvgPool2d"));
  d->add("expand", in != out ? conv2d(in, out, 1, bias) : leaf("Identity"));
  return d;
}

ModulePtr layer_scale(const Json& init, int64_t dim, const char* cls) {
  if (!init.is_number() || init.get<double>() == 0) return leaf("Identity");
  auto m = make(cls);
  m->param("gamma", {dim});
  return m;
}

// get_rel_pos_cls: RelPosBias, RelPosBiasTf or RelPosMlp over a window, or nothing.
ModulePtr rel_pos(const Cfg& c, int64_t w, int64_t heads) {
  std::string t = c.s(c.tr, "rel_pos_type");
  int64_t v = 2 * w - 1;
  if (t == "bias") {
    auto m = make("RelPosBias");
    m->param("relative_position_bias_table", {v * v, heads});
    m->buffer("relative_position_index", {w * w * w * w}, DType::I64, false);
    return m;
  }
  if (t == "bias_tf") {
    auto m = make("RelPosBiasTf");
    m->param("relative_position_bias_table", {heads, v, v});
    m->buffer("height_lookup", {w, w, v}, DType::F32, false);
    m->buffer("width_lookup", {w, w, v}, DType::F32, false);
    return m;
  }
  if (t == "mlp") {
    auto m = make("RelPosMlp");
    m->add("bias_act", leaf("Identity"));
    auto mlp = timm::mlp(2, c.tr.at("rel_pos_dim").get<int64_t>(), heads);
    mlp->child("act")->cls = "ReLU";
    m->add("mlp", mlp);
    m->buffer("relative_position_index", {w * w * w * w}, DType::I64, false);
    m->buffer("rel_coords_log", {v, v, 2}, DType::F32, false);
    return m;
  }
  if (!t.empty()) c.a.unsupported("rel_pos_type " + t);
  return nullptr;
}

// Attention2d (1x1 convs, NCHW) or AttentionCl (Linear, channels-last): qkv, rel_pos, attn_drop, proj, proj_drop.
ModulePtr attention(const Cfg& c, bool cl, int64_t dim, int64_t out, int64_t dim_attn, int64_t w) {
  bool bias = c.b(c.tr, "attn_bias");
  int64_t heads = dim_attn / c.tr.at("dim_head").get<int64_t>();
  auto a = make(cl ? "AttentionCl" : "Attention2d");
  a->add("qkv", cl ? linear(dim, dim_attn * 3, bias) : conv2d(dim, dim_attn * 3, 1, bias));
  if (auto rp = rel_pos(c, w, heads)) a->add("rel_pos", rp);
  a->add("attn_drop", leaf("Dropout"));
  a->add("proj", cl ? linear(dim_attn, out, bias) : conv2d(dim_attn, out, 1, bias));
  a->add("proj_drop", leaf("Dropout"));
  return a;
}

ModulePtr mbconv(const Cfg& c, int64_t in, int64_t out, bool stride2) {
  const Json& k = c.conv;
  bool out_bias = c.b(k, "output_bias"), expand_out = c.b(k, "expand_output");
  int64_t mid = timm::make_divisible((expand_out ? out : in) * k.at("expand_ratio").get<double>());
  int64_t gs = k.at("group_size").is_number() ? k.at("group_size").get<int64_t>() : 0;
  int64_t ks = k.at("kernel_size").get<int64_t>();
  std::string n = c.conv_norm();
  auto b = make("MbConvBlock");
  b->add("shortcut", stride2 ? downsample(in, out, out_bias) : leaf("Identity"));
  b->add("pre_norm", norm(c, n, in, true));
  b->add("down", stride2 && c.s(k, "stride_mode") == "pool" ? downsample(in, in, true) : leaf("Identity"));
  b->add("conv1_1x1", conv2d(in, mid, 1, false));
  b->add("norm1", norm(c, n, mid, true));
  b->add("conv2_kxk", conv2d(mid, mid, ks, false, gs ? mid / gs : 1));
  if (c.s(k, "attn_layer") != "se") c.a.unsupported("conv attn_layer " + c.s(k, "attn_layer"));
  auto rd = static_cast<int64_t>(k.at("attn_ratio").get<double>() * static_cast<double>(expand_out ? out : mid));
  if (c.b(k, "attn_early")) {
    b->add("se_early", timm::se_module(mid, rd));
    b->add("norm2", norm(c, n, mid, true));
  } else {
    b->add("norm2", norm(c, n, mid, true));
    b->add("se", timm::se_module(mid, rd));
  }
  b->add("conv3_1x1", conv2d(mid, out, 1, out_bias));
  b->add("drop_path", leaf("Identity"));
  return b;
}

ModulePtr convnext(const Cfg& c, int64_t in, int64_t out, bool stride2) {
  const Json& k = c.conv;
  bool bias = c.b(k, "output_bias");
  auto b = make("ConvNeXtBlock");
  b->add("shortcut", stride2 ? downsample(in, out, true) : in != out ? conv2d(in, out, 1, bias) : leaf("Identity"));
  b->add("down", stride2 && c.s(k, "stride_mode") == "pool" ? downsample(in, in, true) : leaf("Identity"));
  b->add("conv_dw", conv2d(in, out, 7, bias, in));
  b->add("norm", norm(c, c.conv_norm(), out));
  auto m = timm::conv_mlp(out, static_cast<int64_t>(k.at("expand_ratio").get<double>() * out), out);
  b->add("mlp", m);
  b->add("ls", layer_scale(k.at("init_values"), out, "LayerScale2d"));
  b->add("drop_path", leaf("Identity"));
  return b;
}

ModulePtr conv_block(const Cfg& c, int64_t in, int64_t out, bool stride2) {
  return c.mbconv() ? mbconv(c, in, out, stride2) : convnext(c, in, out, stride2);
}

// The pre-norm residual pair shared by TransformerBlock2d and the partition attentions: norm1, attn, ls1,
// drop_path1, norm2, mlp, ls2, drop_path2.
ModulePtr residual(const Cfg& c, std::string cls, ModulePtr norm1, std::vector<std::pair<std::string, ModulePtr>> attn,
                   int64_t dim, bool cl) {
  const Json& init = c.tr.at("init_values");
  const char* ls = cl ? "LayerScale" : "LayerScale2d";
  auto b = make(std::move(cls));
  b->add("norm1", std::move(norm1));
  for (auto& [name, m] : attn) b->add(name, m);
  b->add("ls1", layer_scale(init, dim, ls));
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", norm(c, c.s(c.tr, cl ? "norm_layer_cl" : "norm_layer"), dim));
  auto hidden = static_cast<int64_t>(static_cast<double>(dim) * c.tr.at("expand_ratio").get<double>());
  b->add("mlp", cl ? timm::mlp(dim, hidden, dim) : timm::conv_mlp(dim, hidden, dim));
  b->add("ls2", layer_scale(init, dim, ls));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

ModulePtr transformer2d(const Cfg& c, int64_t in, int64_t out, bool stride2, int64_t feat) {
  std::string n = c.s(c.tr, "norm_layer");
  ModulePtr norm1 = norm(c, n, in);
  if (stride2) {
    auto s = make("Sequential");
    s->add("norm", norm1);
    s->add("down", downsample(in, in, true));
    norm1 = s;
  } else if (in != out) {
    c.a.unsupported("transformer block changing width without stride");
  }
  int64_t dim_attn = c.b(c.tr, "expand_first") ? out : in;
  auto b = residual(c, "TransformerBlock2d", norm1, {{"attn", attention(c, false, in, out, dim_attn, feat)}}, out, false);
  b->children.insert(b->children.begin(),
                     {"shortcut", stride2 ? downsample(in, out, c.b(c.tr, "shortcut_bias")) : leaf("Identity")});
  return b;
}

ModulePtr partition(const Cfg& c, int64_t dim) {
  const std::string n = c.s(c.tr, "norm_layer_cl");
  return residual(c, "PartitionAttentionCl", norm(c, n, dim), {{"attn", attention(c, true, dim, dim, dim, c.window)}},
                  dim, true);
}

ModulePtr block(const Cfg& c, const std::string& t, int64_t in, int64_t out, bool stride2, int64_t feat) {
  if (t == "C") return conv_block(c, in, out, stride2);
  if (t == "T") return transformer2d(c, in, out, stride2, feat);
  if (c.b(c.tr, "use_nchw_attn")) c.a.unsupported("use_nchw_attn");
  if (t == "M") {
    auto b = make("MaxxVitBlock");
    b->add("conv", conv_block(c, in, out, stride2));
    if (!c.b(c.tr, "no_block_attn")) b->add("attn_block", partition(c, out));
    b->add("attn_grid", partition(c, out));
    return b;
  }
  if (t != "PM") c.a.unsupported("block type " + t);
  auto b = make("ParallelMaxxVitBlock");
  auto convs = make("Sequential");
  convs->add("0", conv_block(c, in, out, stride2));
  convs->add("1", conv_block(c, out, out, false));
  b->add("conv", convs);
  const std::string n = c.s(c.tr, "norm_layer_cl");
  b->add("attn", residual(c, "ParallelPartitionAttention", norm(c, n, out),
                          {{"attn_block", attention(c, true, out, out / 2, out, c.window)},
                           {"attn_grid", attention(c, true, out, out / 2, out, c.window)}},
                          out, true));
  return b;
}

Model build(const timm::Args& a) {
  const Json& cfg = a.raw("model_cfg");
  if (!cfg.is_object() || !cfg.contains("conv_cfg") || !cfg.contains("transformer_cfg"))
    a.unsupported("model_cfg is not a MaxxVitCfg");
  for (auto it = a.all().begin(); it != a.all().end(); ++it)
    if (const std::string& k = it.key(); k.starts_with("conv_") || k.starts_with("transformer_"))
      a.unsupported("cfg overlay " + k);
  const Json& tr = cfg.at("transformer_cfg");
  if (!tr.at("window_size").is_null() || !tr.at("grid_size").is_null()) a.unsupported("fixed window_size");
  auto img = a.ints("img_size");
  if (img.empty() || img.front() != img.back()) a.unsupported("non-square img_size");
  int64_t ratio = tr.at("partition_ratio").get<int64_t>();
  Cfg c{cfg.at("conv_cfg"), tr, timm::checked(img[0], 1, 1 << 14, "img_size") / ratio, a};
  if (c.window < 1) a.unsupported("img_size below partition_ratio");

  std::vector<int64_t> stem_w;
  if (cfg.at("stem_width").is_array()) stem_w = cfg.at("stem_width").get<std::vector<int64_t>>();
  else stem_w = {cfg.at("stem_width").get<int64_t>(), cfg.at("stem_width").get<int64_t>()};
  bool stem_bias = c.b(cfg, "stem_bias");
  auto stem = make("Stem");
  stem->add("conv1", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), stem_w[0], 3, stem_bias));
  stem->add("norm1", norm(c, c.conv_norm(), stem_w[0], true));
  stem->add("conv2", conv2d(stem_w[0], stem_w[1], 3, stem_bias));
  auto root = make("MaxxVit");
  root->add("stem", stem);

  auto dims = cfg.at("embed_dim").get<std::vector<int64_t>>(), depths = cfg.at("depths").get<std::vector<int64_t>>();
  const Json& types = cfg.at("block_type");
  if (dims.size() != depths.size() || types.size() != dims.size()) a.unsupported("stage lists of different lengths");
  int64_t feat = img[0] / 2, in = stem_w[1];
  auto stages = make("Sequential");
  for (size_t s = 0; s < dims.size(); ++s) {
    feat = (feat - 1) / 2 + 1;
    std::vector<std::string> ts;  // extend_tuple: a tuple of block types is padded with its last entry
    if (types[s].is_array()) ts = types[s].get<std::vector<std::string>>();
    else ts = {types[s].get<std::string>()};
    auto blocks = timm::seq(timm::checked(depths[s], 1, 1000, "depths"), [&](int64_t i) {
      const std::string& t = ts[std::min<size_t>(static_cast<size_t>(i), ts.size() - 1)];
      auto b = block(c, t, i ? dims[s] : in, dims[s], i == 0, feat);
      return b;
    });
    in = dims[s];
    auto st = make("MaxxVitStage");
    st->add("blocks", blocks);
    stages->add(std::to_string(s), st);
  }
  root->add("stages", stages);
  std::string fn = c.s(tr, "norm_layer");
  if (cfg.at("head_hidden_size").is_number() && cfg.at("head_hidden_size").get<int64_t>() > 0) {
    root->add("norm", leaf("Identity"));
    auto head = timm::norm_mlp_head(in, a.i("num_classes"), "LayerNorm2d", cfg.at("head_hidden_size").get<int64_t>());
    if (fn != "layernorm2d")
      for (auto& [name, m] : head->children)
        if (name == "norm") m = norm(c, fn, in);
    root->add("head", head);
  } else {
    root->add("norm", norm(c, fn, in));
    root->add("head", timm::classifier_head(in, a.i("num_classes")));
  }
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"MaxxVit"}, build);

}  // namespace
}  // namespace memfit
