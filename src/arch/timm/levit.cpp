// timm Levit / LevitDistilled (timm/models/levit.py, linear mode): Stem16 of ConvNorms, LevitStages (LevitDownsample
// with AttentionDownsample, LevitBlocks of Attention (attention_biases + attention_bias_idxs buffer) and LevitMlp,
// all LinearNorm = Linear + BatchNorm1d), NormLinear head and head_dist.
#include <map>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Variant {
  std::vector<int64_t> dims, heads, depth;
  int64_t key_dim;
};

ModulePtr conv_norm(int64_t in, int64_t out) {
  auto m = make("ConvNorm");
  m->add("linear", conv2d(in, out, 3, false));
  m->add("bn", batch_norm(out));
  return m;
}

ModulePtr linear_norm(int64_t in, int64_t out) {
  auto m = make("LinearNorm");
  m->add("linear", linear(in, out, false));
  m->add("bn", batch_norm(out, "BatchNorm1d"));
  return m;
}

ModulePtr act_ln(int64_t in, int64_t out) {
  auto s = make("Sequential");
  s->add("act", leaf("Hardswish"));
  s->add("ln", linear_norm(in, out));
  return s;
}

ModulePtr levit_mlp(int64_t dim, int64_t hidden) {
  auto m = make("LevitMlp");
  m->add("ln1", linear_norm(dim, hidden));
  m->add("act", leaf("Hardswish"));
  m->add("drop", leaf("Dropout"));
  m->add("ln2", linear_norm(hidden, dim));
  return m;
}

ModulePtr norm_linear(int64_t in, int64_t out) {
  if (out <= 0) return leaf("Identity");
  auto m = make("NormLinear");
  m->add("bn", batch_norm(in, "BatchNorm1d"));
  m->add("drop", leaf("Dropout"));
  m->add("linear", linear(in, out));
  return m;
}

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, Variant, std::less<>> variants{
      {"levit_128s", {{128, 256, 384}, {4, 6, 8}, {2, 3, 4}, 16}},
      {"levit_128", {{128, 256, 384}, {4, 8, 12}, {4, 4, 4}, 16}},
      {"levit_192", {{192, 288, 384}, {3, 5, 6}, {4, 4, 4}, 32}},
      {"levit_256", {{256, 384, 512}, {4, 6, 8}, {4, 4, 4}, 32}},
      {"levit_384", {{384, 512, 768}, {6, 9, 12}, {4, 4, 4}, 32}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const Variant& v = it->second;
  const int64_t kd = v.key_dim, d0 = v.dims[0];
  auto stem = make("Stem16");
  stem->add("conv1", conv_norm(timm::in_chans(c), d0 / 8));
  stem->add("act1", leaf("Hardswish"));
  stem->add("conv2", conv_norm(d0 / 8, d0 / 4));
  stem->add("act2", leaf("Hardswish"));
  stem->add("conv3", conv_norm(d0 / 4, d0 / 2));
  stem->add("act3", leaf("Hardswish"));
  stem->add("conv4", conv_norm(d0 / 2, d0));
  auto root = make("LevitDistilled");
  root->add("stem", stem);
  int64_t res = timm::img_size(c, 224) / 16, in = d0;
  auto stages = make("Sequential");
  for (size_t i = 0; i < v.dims.size(); ++i) {
    int64_t dim = v.dims[i];
    auto st = make("LevitStage");
    if (i > 0) {
      int64_t heads = in / kd, val = 4 * kd * heads, nq = (res + 1) / 2;
      auto ad = make("AttentionDownsample");
      ad->param("attention_biases", {heads, res * res});
      ad->buffer("attention_bias_idxs", {nq * nq, res * res}, DType::I64, false);
      ad->add("kv", linear_norm(in, val + kd * heads));
      auto q = make("Sequential");
      q->add("down", leaf("Downsample"));
      q->add("ln", linear_norm(in, kd * heads));
      ad->add("q", q);
      ad->add("proj", act_ln(val, dim));
      auto ds = make("LevitDownsample");
      ds->add("attn_downsample", ad);
      ds->add("mlp", levit_mlp(dim, dim * 2));
      ds->add("drop_path", leaf("Identity"));
      st->add("downsample", ds);
      res = (res - 1) / 2 + 1;
    } else {
      st->add("downsample", leaf("Identity"));
    }
    int64_t heads = v.heads[i], val = 2 * kd * heads;
    auto a = make("Attention");
    a->param("attention_biases", {heads, res * res});
    a->buffer("attention_bias_idxs", {res * res, res * res}, DType::I64, false);
    a->add("qkv", linear_norm(dim, val + 2 * kd * heads));
    a->add("proj", act_ln(val, dim));
    auto b = make("LevitBlock");
    b->add("attn", a);
    b->add("drop_path1", leaf("Identity"));
    b->add("mlp", levit_mlp(dim, dim * 2));
    b->add("drop_path2", leaf("Identity"));
    st->add("blocks", repeat(b, v.depth[i], "Sequential"));
    stages->add(std::to_string(i), st);
    in = dim;
  }
  root->add("stages", stages);
  int64_t classes = timm::num_classes(c);
  root->add("head", norm_linear(in, classes));
  root->add("head_dist", norm_linear(in, classes));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"levit_"}, build);

}  // namespace
}  // namespace memfit
