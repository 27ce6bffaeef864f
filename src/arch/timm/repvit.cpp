// timm RepVit (timm/models/repvit.py) from its registered arguments, in its train-time (unfused) structure: a stem of
// two stride-2 ConvNorms, stages of RepVitDownsample (pre_block, depthwise spatial and 1x1 channel ConvNorms, ffn) and
// RepViTBlocks (RepVggDw token mixer, SqueezeExcite on every other block, RepVitMlp channel mixer), and
// RepVitClassifier (BatchNorm1d + Linear heads, a second one when distilled).
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Opts {
  int64_t k;
  bool legacy;
  std::string act;
};

// ConvNorm: bias-free conv `c` + BatchNorm2d `bn`.
ModulePtr conv_norm(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  auto m = make("ConvNorm");
  m->add("c", conv2d(in, out, k, false, groups));
  m->add("bn", batch_norm(out));
  return m;
}

ModulePtr rep_mlp(const Opts& o, int64_t dim, int64_t hidden) {
  auto m = make("RepVitMlp");
  m->add("conv1", conv_norm(dim, hidden, 1));
  m->add("act", leaf(o.act));
  m->add("conv2", conv_norm(hidden, dim, 1));
  return m;
}

ModulePtr rep_block(const Opts& o, int64_t dim, int64_t ratio, bool se) {
  auto b = make("RepViTBlock");
  auto tm = make("RepVggDw");
  tm->add("conv", conv_norm(dim, dim, o.k, dim));
  if (o.legacy) {
    tm->add("conv1", conv_norm(dim, dim, 1, dim));
    tm->add("bn", leaf("Identity"));
  } else {
    tm->add("conv1", conv2d(dim, dim, 1, true, dim));
    tm->add("bn", batch_norm(dim));
  }
  b->add("token_mixer", tm);
  b->add("se", se ? timm::se_module(dim, timm::make_divisible(dim * 0.25, 8, 0, 0.0)) : leaf("Identity"));
  b->add("channel_mixer", rep_mlp(o, dim, dim * ratio));
  return b;
}

ModulePtr norm_linear(int64_t in, int64_t out) {
  auto m = make("NormLinear");
  auto bn = batch_norm(in, "BatchNorm1d");
  m->add("bn", bn);
  m->add("l", linear(in, out));
  return m;
}

Model build(const timm::Args& a) {
  auto dims = a.ints("embed_dim"), depth = a.ints("depth"), ratios = a.ints("mlp_ratio");
  if (dims.empty() || dims.size() > 8 || depth.size() != dims.size()) a.unsupported("embed_dim / depth lengths");
  if (ratios.size() == 1) ratios.assign(dims.size(), ratios[0]);
  if (ratios.size() != dims.size()) a.unsupported("mlp_ratio length");
  std::string act = a.layer("act_layer");
  if (auto dot = act.rfind('.'); dot != std::string::npos) act = act.substr(dot + 1);
  Opts o{a.i("kernel_size"), a.b("legacy"), act};
  for (auto d : dims) timm::checked(d, 2, 1 << 16, "embed_dim");
  auto root = make("RepVit");
  auto stem = make("RepVitStem");
  stem->add("conv1", conv_norm(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dims[0] / 2, 3));
  stem->add("act1", leaf(act));
  stem->add("conv2", conv_norm(dims[0] / 2, dims[0], 3));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t in = dims[0];
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t out = dims[i], r = ratios[i];
    auto st = make("RepVitStage");
    if (i > 0) {
      auto ds = make("RepVitDownsample");
      ds->add("pre_block", rep_block(o, in, r, false));
      ds->add("spatial_downsample", conv_norm(in, in, o.k, in));
      ds->add("channel_downsample", conv_norm(in, out, 1));
      ds->add("ffn", rep_mlp(o, out, out * r));
      st->add("downsample", ds);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    st->add("blocks", timm::seq(timm::checked(depth[i], 0, 1000, "depth"),
                                [&](int64_t j) { return rep_block(o, out, r, j % 2 == 0); }));
    stages->add(std::to_string(i), st);
    in = out;
  }
  root->add("stages", stages);
  root->add("head_drop", leaf("Dropout"));
  auto head = make("RepVitClassifier");
  head->add("head_drop", leaf("Dropout"));
  int64_t classes = a.i("num_classes");
  head->add("head", classes > 0 ? norm_linear(in, classes) : leaf("Identity"));
  if (a.b("distillation")) head->add("head_dist", classes > 0 ? norm_linear(in, classes) : leaf("Identity"));
  root->add("head", head);
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"RepVit"}, build);

}  // namespace
}  // namespace memfit
