// timm MambaOut (timm/models/mambaout.py) from its registered arguments: a two-conv Stem (mid LayerNorm optional),
// MambaOutStages (Downsample conv+norm or norm-first conv_nf, GatedConvBlocks: norm, fc1 to 2x hidden, depthwise conv on
// conv_ratio of the channels, fc2, optional LayerScale), and an MlpHead (default) or ClNormMlpClassifierHead.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Opts {
  double expansion, conv_ratio;
  int64_t k;
  bool ls;
  std::string act;
};

ModulePtr gated_block(const Opts& o, int64_t dim) {
  auto b = make("GatedConvBlock");
  b->add("norm", layer_norm(dim));
  int64_t hidden = static_cast<int64_t>(o.expansion * static_cast<double>(dim));
  int64_t conv_chs = static_cast<int64_t>(o.conv_ratio * static_cast<double>(dim));
  b->add("fc1", linear(dim, hidden * 2));
  b->add("act", leaf(o.act));
  b->add("conv", conv2d(conv_chs, conv_chs, o.k, true, conv_chs));
  b->add("fc2", linear(hidden, dim));
  if (o.ls) {
    auto ls = make("LayerScale");
    ls->param("gamma", {dim});
    b->add("ls", ls);
  } else {
    b->add("ls", leaf("Identity"));
  }
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  if (a.layer("norm_layer") != "LayerNorm") a.unsupported("norm_layer " + a.layer("norm_layer"));
  std::string act = a.layer("act_layer");
  if (act == "silu") act = "SiLU";
  else if (act == "gelu" || act == "nn.GELU") act = "GELU";
  else a.unsupported("act_layer " + act);
  auto depths = a.ints("depths"), dims = a.ints("dims");
  if (dims.empty() || dims.size() > 8 || depths.size() != dims.size()) a.unsupported("depths / dims lengths");
  for (auto d : dims) timm::checked(d, 2, 1 << 16, "dims");
  Opts o{a.f("expansion_ratio"), a.f("conv_ratio"), a.i("kernel_size"), a.has("ls_init_value"), act};
  if (o.expansion <= 0 || o.expansion > 64 || o.conv_ratio <= 0 || o.conv_ratio > 64) a.unsupported("ratios");
  std::string down = a.s("downsample");
  if (down != "conv" && down != "conv_nf") a.unsupported("downsample " + down);
  auto root = make("MambaOut");
  auto stem = make("Stem");
  stem->add("conv1", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dims[0] / 2, 3));
  if (a.b("stem_mid_norm")) stem->add("norm1", layer_norm(dims[0] / 2));
  stem->add("act", leaf(act));
  stem->add("conv2", conv2d(dims[0] / 2, dims[0], 3));
  stem->add("norm2", layer_norm(dims[0]));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = dims[0];
  for (size_t i = 0; i < dims.size(); ++i) {
    auto st = make("MambaOutStage");
    if (i == 0) {
      if (prev != dims[i]) a.unsupported("first stage changes width");
      st->add("downsample", leaf("Identity"));
    } else if (down == "conv") {
      auto ds = make("Downsample");
      ds->add("conv", conv2d(prev, dims[i], 3));
      ds->add("norm", layer_norm(dims[i]));
      st->add("downsample", ds);
    } else {
      auto ds = make("DownsampleNormFirst");
      ds->add("norm", layer_norm(prev));
      ds->add("conv", conv2d(prev, dims[i], 3));
      st->add("downsample", ds);
    }
    st->add("blocks", timm::seq(timm::checked(depths[i], 0, 1000, "depths"), [&](int64_t) { return gated_block(o, dims[i]); }));
    stages->add(std::to_string(i), st);
    prev = dims[i];
  }
  root->add("stages", stages);
  int64_t classes = a.i("num_classes"), hidden = 4 * prev;
  auto pre = make("Sequential");
  pre->add("fc", linear(prev, hidden));
  pre->add("act", leaf("GELU"));
  if (a.s("head_fn") == "default") {
    auto h = make("MlpHead");
    h->add("norm", layer_norm(prev));
    pre->add("norm", layer_norm(hidden));
    h->add("pre_logits", pre);
    h->add("fc", timm::fc_or_identity(hidden, classes));
    h->add("head_dropout", leaf("Dropout"));
    root->add("head", h);
  } else {
    auto h = make("ClNormMlpClassifierHead");
    h->add("norm", layer_norm(prev));
    h->add("pre_logits", pre);
    h->add("drop", leaf("Dropout"));
    h->add("fc", timm::fc_or_identity(hidden, classes));
    root->add("head", h);
  }
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"MambaOut"}, build);

}  // namespace
}  // namespace memfit
