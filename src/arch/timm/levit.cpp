// timm Levit / LevitDistilled (timm/models/levit.py) from their registered arguments, linear or conv mode: Stem16 /
// Stem8 of ConvNorms, LevitStages (LevitDownsample with AttentionDownsample, LevitBlocks of Attention with
// attention_biases + the attention_bias_idxs buffer, LevitMlp; LinearNorm = Linear + BatchNorm1d or ConvNorm = 1x1
// conv + BatchNorm2d), NormLinear head (and head_dist for LevitDistilled).
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Ctx {
  bool conv;
  std::string act;
};

ModulePtr conv_norm(int64_t in, int64_t out, int64_t k) {
  return timm::conv_bn(in, out, k, 1, false, "ConvNorm", "linear");
}

// LinearNorm (linear mode) or a 1x1 ConvNorm (conv mode).
ModulePtr ln(const Ctx& x, int64_t in, int64_t out) {
  if (x.conv) return conv_norm(in, out, 1);
  auto m = make("LinearNorm");
  m->add("linear", linear(in, out, false));
  m->add("bn", batch_norm(out, "BatchNorm1d"));
  return m;
}

ModulePtr act_ln(const Ctx& x, int64_t in, int64_t out) {
  auto s = make("Sequential");
  s->add("act", leaf(x.act));
  s->add("ln", ln(x, in, out));
  return s;
}

ModulePtr levit_mlp(const Ctx& x, int64_t dim, int64_t hidden) {
  auto m = make("LevitMlp");
  m->add("ln1", ln(x, dim, hidden));
  m->add("act", leaf(x.act));
  m->add("drop", leaf("Dropout"));
  m->add("ln2", ln(x, hidden, dim));
  return m;
}

ModulePtr stem(const Ctx& x, int64_t in, int64_t dim, bool s8) {
  auto s = make(s8 ? "Stem8" : "Stem16");
  std::vector<int64_t> chs = s8 ? std::vector<int64_t>{dim / 4, dim / 2, dim}
                                : std::vector<int64_t>{dim / 8, dim / 4, dim / 2, dim};
  for (size_t i = 0; i < chs.size(); ++i) {
    if (i) s->add("act" + std::to_string(i), leaf(x.act));
    s->add("conv" + std::to_string(i + 1), conv_norm(i ? chs[i - 1] : in, chs[i], 3));
  }
  return s;
}

// AttentionDownsample: kv, q (subsample + ln), proj; biases over the in-resolution, idxs [Nq, Nk].
ModulePtr attn_downsample(const Ctx& x, int64_t in, int64_t out, int64_t kd, int64_t heads, int64_t rh, int64_t rw) {
  int64_t val = 4 * kd * heads, nk = rh * rw, nq = ((rh + 1) / 2) * ((rw + 1) / 2);
  auto ad = make("AttentionDownsample");
  ad->add("kv", ln(x, in, val + kd * heads));
  auto q = make("Sequential");
  q->add("down", leaf(x.conv ? "AvgPool2d" : "Downsample"));
  q->add("ln", ln(x, in, kd * heads));
  ad->add("q", q);
  ad->add("proj", act_ln(x, val, out));
  ad->param("attention_biases", {heads, nk});
  ad->buffer("attention_bias_idxs", {nq, nk}, DType::I64, false);
  return ad;
}

ModulePtr levit_block(const Ctx& x, int64_t dim, int64_t kd, int64_t heads, double attn_ratio, double mlp_ratio,
                      int64_t n) {
  int64_t vd = static_cast<int64_t>(attn_ratio * static_cast<double>(kd)) * heads;
  auto a = make("Attention");
  a->add("qkv", ln(x, dim, vd + 2 * kd * heads));
  a->add("proj", act_ln(x, vd, dim));
  a->param("attention_biases", {heads, n});
  a->buffer("attention_bias_idxs", {n, n}, DType::I64, false);
  auto b = make("LevitBlock");
  b->add("attn", a);
  b->add("drop_path1", leaf("Identity"));
  b->add("mlp", levit_mlp(x, dim, static_cast<int64_t>(static_cast<double>(dim) * mlp_ratio)));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

std::string act_class(const timm::Args& a, const std::string& name) {
  if (name == "hard_swish") return "Hardswish";
  if (name == "silu" || name == "swish") return "SiLU";
  if (name == "gelu") return "GELU";
  if (name == "relu") return "ReLU";
  a.unsupported("act_layer " + name);
}

Model build(const timm::Args& a) {
  if (a.has("stem_backbone")) a.unsupported("stem_backbone");
  if (a.s("down_op") != "subsample") a.unsupported("down_op " + a.s("down_op"));
  auto dims = a.ints("embed_dim"), depth = a.ints("depth");
  const size_t n = dims.size();
  if (n == 0 || depth.size() != n) a.unsupported("embed_dim / depth of different lengths");
  auto per_stage_f = [&](const char* k, size_t i) {
    const Json& v = a.raw(k);
    if (v.is_array()) return v.at(i).get<double>();
    return a.f(k);
  };
  auto heads = a.ints("num_heads");
  if (heads.size() == 1) heads.assign(n, heads[0]);
  if (heads.size() != n) a.unsupported("num_heads of a different length");
  Ctx x{a.b("use_conv"), act_class(a, a.s("act_layer"))};
  if (a.has("attn_act_layer") && act_class(a, a.s("attn_act_layer")) != x.act) a.unsupported("attn_act_layer");
  const std::string stem_type = a.s("stem_type");
  if (stem_type != "s16" && stem_type != "s8") a.unsupported("stem_type " + stem_type);
  const int64_t kd = timm::checked(a.i("key_dim"), 1, 4096, "key_dim");
  for (auto d : dims) timm::checked(d, kd, 1 << 16, "embed_dim");
  auto img = a.ints("img_size");
  int64_t stride = stem_type == "s8" ? 8 : 16;
  int64_t rh = img.front() / stride, rw = img.back() / stride;
  auto root = make(a.cls());
  root->add("stem", stem(x, timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dims[0], stem_type == "s8"));
  auto stages = make("Sequential");
  int64_t in = dims[0];
  for (size_t i = 0; i < n; ++i) {
    auto st = make("LevitStage");
    if (i > 0) {
      auto ds = make("LevitDownsample");
      ds->add("attn_downsample", attn_downsample(x, in, dims[i], kd, in / kd, rh, rw));
      ds->add("mlp", levit_mlp(x, dims[i], dims[i] * 2));
      ds->add("drop_path", leaf("Identity"));
      st->add("downsample", ds);
      rh = (rh - 1) / 2 + 1;
      rw = (rw - 1) / 2 + 1;
    } else {
      st->add("downsample", leaf("Identity"));
    }
    int64_t dim = dims[i], h = timm::checked(heads[i], 1, 4096, "num_heads");
    double ar = per_stage_f("attn_ratio", i), mr = per_stage_f("mlp_ratio", i);
    st->add("blocks", timm::seq(timm::checked(depth[i], 0, 1024, "depth"),
                                [&](int64_t) { return levit_block(x, dim, kd, h, ar, mr, rh * rw); }));
    stages->add(std::to_string(i), st);
    in = dim;
  }
  root->add("stages", stages);
  int64_t classes = a.i("num_classes");
  root->add("head", timm::norm_linear(in, classes));
  if (a.cls() == "LevitDistilled") root->add("head_dist", timm::norm_linear(in, classes));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Levit", "LevitDistilled"}, build);

}  // namespace
}  // namespace memfit
