#include "arch/timm/create_attn.h"

#include <cmath>
#include <initializer_list>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit::timm {
using namespace blocks;

namespace {

// The keyword arguments of one layer: only the listed ones are accepted (timm would raise on others).
struct Kw {
  const Args& a;
  const Json& kw;
  Kw(const Args& args, const std::string& layer, const Json& kwargs, std::initializer_list<std::string_view> known)
      : a(args), kw(kwargs) {
    if (!kw.is_null() && !kw.is_object()) a.unsupported(layer + " keyword arguments are not an object");
    if (kw.is_object())
      for (auto it = kw.begin(); it != kw.end(); ++it)
        if (std::find(known.begin(), known.end(), it.key()) == known.end())
          a.unsupported(layer + " argument `" + it.key() + "`");
  }
  bool has(const char* k) const { return kw.is_object() && kw.contains(k) && !kw[k].is_null(); }
  double f(const char* k, double def) const {
    if (!has(k)) return def;
    if (!kw[k].is_number()) a.unsupported(std::string("attention argument `") + k + "` is not a number");
    return kw[k].get<double>();
  }
  int64_t i(const char* k, int64_t def) const {
    double v = f(k, static_cast<double>(def));
    if (v != std::floor(v) || v < 0 || v > (1 << 20)) a.unsupported(std::string("attention argument `") + k + "` out of range");
    return static_cast<int64_t>(v);
  }
  bool b(const char* k, bool def) const { return has(k) ? kw[k].get<bool>() : def; }
};

ModulePtr conv_nd(std::string cls, int64_t in, int64_t out, std::vector<int64_t> kernel, bool bias) {
  auto c = make(std::move(cls));
  std::vector<int64_t> shape{out, in};
  shape.insert(shape.end(), kernel.begin(), kernel.end());
  c->param("weight", shape);
  if (bias) c->param("bias", {out});
  return c;
}

// ConvMlp(chs, rd, norm_layer=LayerNorm2d) of GlobalContext: fc1, norm, act, drop, fc2.
ModulePtr gc_mlp(int64_t chs, int64_t rd) {
  auto m = make("ConvMlp");
  m->add("fc1", conv2d(chs, rd, 1));
  m->add("norm", layer_norm(rd, true, "LayerNorm2d"));
  m->add("act", leaf("ReLU"));
  m->add("drop", leaf("Dropout"));
  m->add("fc2", conv2d(rd, chs, 1));
  return m;
}

// timm.layers ConvNormAct with its BatchNormAct2d (BatNonLocalAttn's layers).
ModulePtr cna(int64_t in, int64_t out) { return conv_norm_act(in, out, 1); }

}  // namespace

ModulePtr create_attn(const Args& a, const std::string& type, const Json& kwargs, int64_t chs) {
  if (type == "se") {
    Kw k(a, type, kwargs, {"rd_ratio", "rd_channels", "rd_divisor", "bias", "add_maxpool"});
    int64_t rd = k.i("rd_channels", 0);
    if (!rd) rd = make_divisible(chs * k.f("rd_ratio", 1.0 / 16), k.i("rd_divisor", 8), 0, 0.0);
    auto se = se_module(chs, rd);
    if (!k.b("bias", true)) {  // fc1 / fc2 without their biases
      se->children[0].second = conv2d(chs, rd, 1, false);
      se->children[3].second = conv2d(rd, chs, 1, false);
    }
    return se;
  }
  if (type == "ese") {
    Kw k(a, type, kwargs, {"add_maxpool"});
    auto se = make("EffectiveSEModule");
    se->add("fc", conv2d(chs, chs, 1));
    se->add("gate", leaf("Hardsigmoid"));
    return se;
  }
  if (type == "eca") {
    Kw k(a, type, kwargs, {"gamma", "beta"});
    const double gamma = k.f("gamma", 2), beta = k.f("beta", 1);
    int64_t t = static_cast<int64_t>(std::abs(std::log(static_cast<double>(chs)) / std::log(2.0) + beta) / gamma);
    int64_t ks = std::max<int64_t>(t % 2 ? t : t + 1, 3);
    auto e = make("EcaModule");
    e->add("conv", conv_nd("Conv1d", 1, 1, {ks}, false));
    e->add("gate", leaf("Sigmoid"));
    return e;
  }
  if (type == "gc" || type == "gca") {
    Kw k(a, type, kwargs, {"rd_ratio", "rd_channels", "rd_divisor"});
    int64_t rd = k.i("rd_channels", 0);
    if (!rd) rd = make_divisible(chs * k.f("rd_ratio", 1.0 / 8), k.i("rd_divisor", 1), 0, 0.0);
    auto g = make("GlobalContext");
    g->add("conv_attn", conv2d(chs, 1, 1));
    if (type == "gca") g->add("mlp_add", gc_mlp(chs, rd));
    else g->add("mlp_scale", gc_mlp(chs, rd));
    g->add("gate", leaf("Sigmoid"));
    return g;
  }
  if (type == "bat") {
    Kw k(a, type, kwargs, {"block_size", "groups", "rd_ratio", "rd_channels", "rd_divisor", "drop_rate"});
    const int64_t bs = k.i("block_size", 7), groups = k.i("groups", 2);
    int64_t rd = k.i("rd_channels", 0);
    if (!rd) rd = make_divisible(chs * k.f("rd_ratio", 0.25), k.i("rd_divisor", 8));
    auto ba = make("BilinearAttnTransform");
    ba->add("conv1", cna(rd, groups));
    ba->add("conv_p", conv2d(groups, bs * bs * groups, bs, int64_t{1}, true));
    ba->add("conv_q", conv2d(groups, bs * bs * groups, int64_t{1}, bs, true));
    ba->add("conv2", cna(rd, rd));
    auto m = make("BatNonLocalAttn");
    m->add("conv1", cna(chs, rd));
    m->add("ba", ba);
    m->add("conv2", cna(rd, chs));
    m->add("dropout", leaf("Dropout2d"));
    return m;
  }
  a.unsupported("attn_layer '" + type + "'");
}

ModulePtr create_self_attn(const Args& a, const std::string& type, const Json& kwargs, int64_t dim, int64_t stride,
                           std::optional<std::pair<int64_t, int64_t>> feat_size) {
  auto pos_rel = [](int64_t h, int64_t w, int64_t dim_head) {
    auto p = make("PosEmbedRel");
    p->param("height_rel", {h, dim_head});
    p->param("width_rel", {w, dim_head});
    return p;
  };
  if (type == "bottleneck" || type == "halo") {
    const bool halo = type == "halo";
    Kw k(a, type, kwargs, {"num_heads", "dim_head", "qk_ratio", "qkv_bias", "scale_pos_embed", "block_size", "halo_size",
                           "avg_down", "dim_out"});
    if (!halo && (k.has("block_size") || k.has("halo_size") || k.has("avg_down"))) a.unsupported("bottleneck attn halo arguments");
    const int64_t heads = k.i("num_heads", halo ? 8 : 4), out = k.i("dim_out", 0) ? k.i("dim_out", 0) : dim;
    if (heads < 1 || out % heads) a.unsupported("self-attention heads do not divide the channels");
    int64_t qk = k.i("dim_head", 0);
    if (!qk) qk = make_divisible(out * k.f("qk_ratio", 1.0), 8) / heads;
    const int64_t v = out / heads;
    const bool bias = k.b("qkv_bias", false);
    if (!halo) {
      if (!feat_size) a.unsupported("BottleneckAttn needs img_size (feat_size)");
      auto m = make("BottleneckAttn");
      m->add("qkv", conv2d(dim, heads * qk * 2 + heads * v, 1, bias));
      m->add("pos_embed", pos_rel(feat_size->first * 2 - 1, feat_size->second * 2 - 1, qk));
      m->add("pool", leaf(stride == 2 ? "AvgPool2d" : "Identity"));
      return m;
    }
    const int64_t block = k.i("block_size", 8), win = block + 2 * k.i("halo_size", 3);
    const bool avg_pool = stride > 1 && (k.b("avg_down", false) || (block > 0 && block % stride != 0));
    auto m = make("HaloAttn");
    m->add("q", conv2d(dim, heads * qk, 1, bias));
    m->add("kv", conv2d(dim, heads * qk + heads * v, 1, bias));
    m->add("pos_embed", pos_rel(win * 2 - 1, win * 2 - 1, qk));
    m->add("pool", leaf(avg_pool ? "AvgPool2d" : "Identity"));
    return m;
  }
  if (type == "lambda") {
    Kw k(a, type, kwargs, {"num_heads", "dim_head", "r", "qk_ratio", "qkv_bias", "dim_out"});
    const int64_t heads = k.i("num_heads", 4), out = k.i("dim_out", 0) ? k.i("dim_out", 0) : dim;
    if (heads < 1 || out % heads) a.unsupported("lambda heads do not divide the channels");
    int64_t qk = k.i("dim_head", 16);
    if (!qk) qk = make_divisible(out * k.f("qk_ratio", 1.0), 8) / heads;
    const int64_t v = out / heads;
    auto m = make("LambdaLayer");
    m->add("qkv", conv2d(dim, heads * qk + qk + v, 1, k.b("qkv_bias", false)));
    m->add("norm_q", batch_norm(heads * qk));
    m->add("norm_v", batch_norm(v));
    // r=None (explicitly) selects relative position embeddings over the whole feature map.
    const bool rel = kwargs.is_object() && kwargs.contains("r") && kwargs["r"].is_null();
    if (!rel) {
      const int64_t r = k.i("r", 9);
      m->add("conv_lambda", conv_nd("Conv3d", 1, qk, {r, r, 1}, true));
    } else {
      if (!feat_size) a.unsupported("LambdaLayer without r needs img_size (feat_size)");
      const int64_t h = feat_size->first, w = feat_size->second, n = h * w;
      if (n > (1 << 14)) a.unsupported("LambdaLayer feat_size too large");
      m->param("pos_emb", {2 * h - 1, 2 * w - 1, qk});
      m->buffer("rel_pos_indices", {2, n, n}, DType::I64, false);
    }
    m->add("pool", leaf(stride == 2 ? "AvgPool2d" : "Identity"));
    return m;
  }
  a.unsupported("self_attn_layer '" + type + "'");
}

}  // namespace memfit::timm
