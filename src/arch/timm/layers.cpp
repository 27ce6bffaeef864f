#include "arch/timm/layers.h"

#include "arch/timm/defs.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace memfit::timm {
using namespace blocks;

namespace {
std::optional<Config> model_args(const Config& c) {
  auto m = c.opt_sub("model_args");
  if (m && !m->raw().is_object()) throw ConfigError("timm config: `model_args` is not an object");
  return m;
}
int64_t last_int(const Config& c, std::string_view key) {
  const Json& v = c.raw()[std::string(key)];
  if (v.is_number_integer()) return v.get<int64_t>();
  auto xs = c.ints(key);
  if (xs.empty()) throw ConfigError("timm config: `" + std::string(key) + "` is empty");
  return xs.back();
}
}  // namespace

int64_t num_classes(const Config& c, int64_t def) {
  if (auto m = model_args(c)) {
    for (auto it = m->raw().begin(); it != m->raw().end(); ++it)
      if (const std::string& k = it.key(); k != "num_classes" && k != "in_chans" && k != "img_size" && k != "global_pool" &&
          k != "pretrained_cfg_overlay")
        throw UnsupportedClass("timm model_args `" + k + "` is not supported yet");
    if (m->has("num_classes")) return checked(m->i("num_classes"), 0, 1 << 24, "num_classes");
  }
  if (c.has("num_classes")) return checked(c.i("num_classes"), 0, 1 << 24, "num_classes");
  if (auto p = c.opt_sub("pretrained_cfg"); p && p->has("num_classes"))
    return checked(p->i("num_classes"), 0, 1 << 24, "num_classes");
  return def;
}

int64_t in_chans(const Config& c) {
  if (auto m = model_args(c); m && m->has("in_chans")) return checked(m->i("in_chans"), 1, 4096, "in_chans");
  if (auto p = c.opt_sub("pretrained_cfg"); p && p->has("input_size")) {
    auto s = p->ints("input_size");
    if (s.size() == 3) return checked(s[0], 1, 4096, "input_size[0]");
  }
  return 3;
}

int64_t img_size(const Config& c, int64_t def) {
  if (auto m = model_args(c); m && m->has("img_size")) return checked(last_int(*m, "img_size"), 1, 1 << 16, "img_size");
  if (auto p = c.opt_sub("pretrained_cfg"); p && p->b("fixed_input_size", false) && p->has("input_size"))
    return checked(last_int(*p, "input_size"), 1, 1 << 16, "input_size");
  return def;
}

void unsupported(std::string_view arch) {
  throw UnsupportedClass("timm architecture `" + std::string(arch) + "` is not supported yet");
}

int64_t checked(int64_t v, int64_t lo, int64_t hi, std::string_view what) {
  if (v < lo || v > hi) throw ConfigError("timm config: `" + std::string(what) + "` = " + std::to_string(v) + " is out of range");
  return v;
}

ModulePtr fc_or_identity(int64_t in, int64_t out, bool bias) { return out > 0 ? linear(in, out, bias) : leaf("Identity"); }

ModulePtr select_pool() {
  auto p = make("SelectAdaptivePool2d");
  p->add("pool", leaf("AdaptiveAvgPool2d"));
  p->add("flatten", leaf("Flatten"));
  return p;
}

ModulePtr classifier_head(int64_t in, int64_t classes) {
  auto h = make("ClassifierHead");
  h->add("global_pool", select_pool());
  h->add("drop", leaf("Dropout"));
  h->add("fc", fc_or_identity(in, classes));
  h->add("flatten", leaf("Identity"));
  return h;
}

ModulePtr norm_mlp_head(int64_t in, int64_t classes, std::string norm_cls, int64_t hidden) {
  return norm_mlp_head(in, classes, layer_norm(in, true, std::move(norm_cls)), hidden);
}

ModulePtr norm_mlp_head(int64_t in, int64_t classes, ModulePtr norm, int64_t hidden) {
  auto h = make("NormMlpClassifierHead");
  h->add("global_pool", select_pool());
  h->add("norm", std::move(norm));
  h->add("flatten", leaf("Flatten"));
  if (hidden > 0) {
    auto pl = make("Sequential");
    pl->add("fc", linear(in, hidden));
    pl->add("act", leaf("Tanh"));
    h->add("pre_logits", pl);
  } else {
    h->add("pre_logits", leaf("Identity"));
  }
  h->add("drop", leaf("Dropout"));
  h->add("fc", fc_or_identity(hidden > 0 ? hidden : in, classes));
  return h;
}

ModulePtr bn_act(int64_t n, std::string cls) {
  auto b = batch_norm(n, std::move(cls));
  b->add("drop", leaf("Identity"));
  b->add("act", leaf("ReLU"));
  return b;
}

ModulePtr conv_norm_act(int64_t in, int64_t out, int64_t k, int64_t groups, bool bias, std::string cls) {
  auto m = make(std::move(cls));
  m->add("conv", conv2d(in, out, k, bias, groups));
  m->add("bn", bn_act(out));
  return m;
}

ModulePtr conv_norm_act_hw(int64_t in, int64_t out, int64_t kh, int64_t kw) {
  auto m = make("ConvNormAct");
  m->add("conv", conv2d(in, out, kh, kw, false));
  m->add("bn", bn_act(out));
  return m;
}

ModulePtr se_module(int64_t chs, int64_t rd) {
  auto se = make("SEModule");
  se->add("fc1", conv2d(chs, rd, 1));
  se->add("bn", leaf("Identity"));
  se->add("act", leaf("ReLU"));
  se->add("fc2", conv2d(rd, chs, 1));
  se->add("gate", leaf("Sigmoid"));
  return se;
}

ModulePtr eca_module(int64_t chs) {
  auto t = static_cast<int64_t>(std::abs(std::log2(static_cast<double>(chs)) + 1) / 2);
  auto e = make("EcaModule");
  e->add("conv", make("Conv1d"));
  e->child("conv")->param("weight", {1, 1, std::max<int64_t>(t % 2 ? t : t + 1, 3)});
  e->add("gate", leaf("Sigmoid"));
  return e;
}

ModulePtr blur_pool(int64_t chs) {
  auto m = make("BlurPool2d");
  m->buffer("filt", {chs, 1, 3, 3}, DType::F32, false);
  return m;
}

ModulePtr mlp(int64_t in, int64_t hidden, int64_t out, bool bias, bool norm, std::string cls, bool conv) {
  auto m = make(std::move(cls));
  m->add("fc1", conv ? conv2d(in, hidden, 1, bias) : linear(in, hidden, bias));
  m->add("act", leaf("GELU"));
  m->add("drop1", leaf("Dropout"));
  m->add("norm", norm ? layer_norm(hidden) : leaf("Identity"));
  m->add("fc2", conv ? conv2d(hidden, out, 1, bias) : linear(hidden, out, bias));
  m->add("drop2", leaf("Dropout"));
  return m;
}

ModulePtr swiglu(int64_t in, int64_t hidden, int64_t out, bool norm) {
  auto m = make("SwiGLU");
  m->add("fc1_g", linear(in, hidden));
  m->add("fc1_x", linear(in, hidden));
  m->add("act", leaf("SiLU"));
  m->add("drop1", leaf("Dropout"));
  m->add("norm", norm ? layer_norm(hidden) : leaf("Identity"));
  m->add("fc2", linear(hidden, out));
  m->add("drop2", leaf("Dropout"));
  return m;
}

ModulePtr conv_mlp(int64_t in, int64_t hidden, int64_t out) {
  auto m = make("ConvMlp");
  m->add("fc1", conv2d(in, hidden, 1));
  m->add("norm", leaf("Identity"));
  m->add("act", leaf("ReLU"));
  m->add("drop", leaf("Dropout"));
  m->add("fc2", conv2d(hidden, out, 1));
  return m;
}

ModulePtr attention(int64_t dim, int64_t heads, bool qkv_bias, bool qk_norm) {
  int64_t hd = dim / heads;
  auto a = make("Attention");
  a->add("qkv", linear(dim, dim * 3, qkv_bias));
  a->add("q_norm", qk_norm ? layer_norm(hd) : leaf("Identity"));
  a->add("k_norm", qk_norm ? layer_norm(hd) : leaf("Identity"));
  a->add("attn_drop", leaf("Dropout"));
  a->add("norm", leaf("Identity"));
  a->add("proj", linear(dim, dim));
  a->add("proj_drop", leaf("Dropout"));
  return a;
}

ModulePtr vit_block(int64_t dim, int64_t heads, int64_t hidden, bool qkv_bias) {
  auto b = make("Block");
  b->add("norm1", layer_norm(dim));
  b->add("attn", attention(dim, heads, qkv_bias));
  b->add("ls1", leaf("Identity"));
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp", mlp(dim, hidden, dim));
  b->add("ls2", leaf("Identity"));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

ModulePtr patch_embed(int64_t in, int64_t dim, int64_t patch, bool bias, bool norm) {
  auto p = make("PatchEmbed");
  p->add("proj", conv2d(in, dim, patch, bias));
  p->add("norm", norm ? layer_norm(dim) : leaf("Identity"));
  return p;
}

namespace {
ModulePtr downsample(int64_t in, int64_t out) {
  auto d = make("Sequential");
  d->add("0", conv2d(in, out, 1, false));
  d->add("1", batch_norm(out));
  return d;
}
}  // namespace

ModulePtr resnet_basic(int64_t in, int64_t planes, bool down) {
  auto b = make("BasicBlock");
  b->add("conv1", conv2d(in, planes, 3, false));
  b->add("bn1", batch_norm(planes));
  b->add("drop_block", leaf("Identity"));
  b->add("act1", leaf("ReLU"));
  b->add("aa", leaf("Identity"));
  b->add("conv2", conv2d(planes, planes, 3, false));
  b->add("bn2", batch_norm(planes));
  b->add("act2", leaf("ReLU"));
  if (down) b->add("downsample", downsample(in, planes));
  return b;
}

ModulePtr resnet_bottleneck(int64_t in, int64_t planes, bool down) {
  int64_t out = planes * 4;
  auto b = make("Bottleneck");
  b->add("conv1", conv2d(in, planes, 1, false));
  b->add("bn1", batch_norm(planes));
  b->add("act1", leaf("ReLU"));
  b->add("conv2", conv2d(planes, planes, 3, false));
  b->add("bn2", batch_norm(planes));
  b->add("drop_block", leaf("Identity"));
  b->add("act2", leaf("ReLU"));
  b->add("aa", leaf("Identity"));
  b->add("conv3", conv2d(planes, out, 1, false));
  b->add("bn3", batch_norm(out));
  b->add("act3", leaf("ReLU"));
  if (down) b->add("downsample", downsample(in, out));
  return b;
}

ModulePtr norm(const Args& a, std::string_view layer, int64_t dim) {
  if (layer.starts_with("nn.")) layer.remove_prefix(3);
  if (layer == "LayerNorm" || layer == "layernorm" || layer == "LayerNorm2d" || layer == "layernorm2d")
    return layer_norm(dim, true, std::string(layer == "layernorm" ? "LayerNorm" : layer));
  if (layer == "RmsNorm" || layer == "rmsnorm") return rms_norm("RmsNorm", dim);
  a.unsupported("norm layer " + std::string(layer));
}

ModulePtr mlp_layer(const Args& a, std::string_view layer, int64_t in, int64_t hidden, int64_t out, bool bias,
                    std::string_view norm_layer) {
  bool packed = layer == "SwiGLUPacked" || layer == "GluMlp";
  if (layer != "Mlp" && layer != "SwiGLU" && !packed) a.unsupported("mlp_layer " + std::string(layer));
  int64_t inner = packed ? hidden / 2 : hidden;
  auto m = make(packed ? "GluMlp" : std::string(layer));
  if (layer == "SwiGLU") {
    m->add("fc1_g", linear(in, hidden, bias));
    m->add("fc1_x", linear(in, hidden, bias));
  } else {
    m->add("fc1", linear(in, hidden, bias));
  }
  m->add("act", leaf("GELU"));
  m->add("drop1", leaf("Dropout"));
  m->add("norm", norm_layer.empty() ? leaf("Identity") : norm(a, norm_layer, inner));
  m->add("fc2", linear(inner, out, bias));
  m->add("drop2", leaf("Dropout"));
  return m;
}

std::pair<ModulePtr, int64_t> patch_embed(const Args& a, int64_t dim, bool bias) {
  auto img = a.ints("img_size"), patch = a.ints("patch_size");
  if (img.size() == 1) img.push_back(img[0]);
  if (patch.size() == 1) patch.push_back(patch[0]);
  if (img.size() != 2 || patch.size() != 2) a.unsupported("img_size / patch_size is not one or two integers");
  for (int i = 0; i < 2; ++i) {
    checked(img[i], 1, 1 << 16, "img_size");
    checked(patch[i], 1, img[i], "patch_size");
  }
  bool pad = a.b("dynamic_img_pad");
  int64_t gh = pad ? (img[0] + patch[0] - 1) / patch[0] : img[0] / patch[0];
  int64_t gw = pad ? (img[1] + patch[1] - 1) / patch[1] : img[1] / patch[1];
  auto p = make("PatchEmbed");
  p->add("proj", conv2d(checked(a.i("in_chans"), 1, 4096, "in_chans"), dim, patch[0], patch[1], bias));
  std::string n = a.has("embed_norm_layer") ? a.layer("embed_norm_layer") : "";
  p->add("norm", n.empty() ? leaf("Identity") : norm(a, n, dim));
  return {p, gh * gw};
}

ModulePtr attn_pool_latent(const Args& a, int64_t dim, int64_t hidden, std::string_view norm_layer) {
  auto p = make("AttentionPoolLatent");
  p->param("latent", {1, 1, dim});
  p->add("q", linear(dim, dim));
  p->add("kv", linear(dim, dim * 2));
  p->add("q_norm", leaf("Identity"));
  p->add("k_norm", leaf("Identity"));
  p->add("proj", linear(dim, dim));
  p->add("proj_drop", leaf("Dropout"));
  p->add("norm", norm(a, norm_layer, dim));
  p->add("mlp", mlp(dim, hidden, dim));
  return p;
}

ModulePtr qkv_attention(std::string cls, int64_t dim, bool qkv_bias) {
  auto a = make(std::move(cls));
  a->add("qkv", linear(dim, dim * 3, qkv_bias));
  a->add("attn_drop", leaf("Dropout"));
  a->add("proj", linear(dim, dim));
  a->add("proj_drop", leaf("Dropout"));
  return a;
}

ModulePtr class_attn(int64_t dim, bool qkv_bias) {
  auto a = make("ClassAttn");
  a->add("q", linear(dim, dim, qkv_bias));
  a->add("k", linear(dim, dim, qkv_bias));
  a->add("v", linear(dim, dim, qkv_bias));
  a->add("attn_drop", leaf("Dropout"));
  a->add("proj", linear(dim, dim));
  a->add("proj_drop", leaf("Dropout"));
  return a;
}

ModulePtr layer_scale(int64_t dim, bool on, std::string cls, bool spatial) {
  if (!on) return leaf("Identity");
  auto m = make(std::move(cls));
  m->param("gamma", spatial ? std::vector<int64_t>{dim, 1, 1} : std::vector<int64_t>{dim});
  return m;
}

ModulePtr conv_bn(int64_t in, int64_t out, int64_t k, int64_t groups, bool bias, std::string cls, std::string conv) {
  auto m = make(std::move(cls));
  m->add(std::move(conv), conv2d(in, out, k, bias, groups));
  m->add("bn", batch_norm(out));
  return m;
}

ModulePtr norm_linear(int64_t in, int64_t out, std::string fc, bool drop) {
  if (out <= 0) return leaf("Identity");
  auto m = make("NormLinear");
  m->add("bn", batch_norm(in, "BatchNorm1d"));
  if (drop) m->add("drop", leaf("Dropout"));
  m->add(std::move(fc), linear(in, out));
  return m;
}

ModulePtr cl_norm_mlp_head(int64_t in, int64_t classes) {
  auto h = make("ClNormMlpClassifierHead");
  h->add("norm", layer_norm(in));
  h->add("pre_logits", leaf("Identity"));
  h->add("drop", leaf("Dropout"));
  h->add("fc", fc_or_identity(in, classes));
  return h;
}

ModulePtr wrap(std::string cls, std::string name, ModulePtr m) {
  auto w = make(std::move(cls));
  w->add(std::move(name), std::move(m));
  return w;
}

Model model(ModulePtr root) {
  Model m;
  m.root = std::move(root);
  m.library = "timm";
  return m;
}

int64_t make_divisible(double v, int64_t divisor, int64_t min_value, double round_limit) {
  int64_t mv = min_value ? min_value : divisor;
  int64_t nv = std::max(mv, static_cast<int64_t>(v + divisor / 2.0) / divisor * divisor);
  if (nv < round_limit * v) nv += divisor;
  return nv;
}

}  // namespace memfit::timm
