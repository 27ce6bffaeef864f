// timm ConvNeXt (timm/models/convnext.py) from its registered arguments: patch stem, four ConvNeXtStages (downsample
// norm + conv, ConvNeXtBlocks of depthwise conv_dw, norm, Mlp / GlobalResponseNormMlp (V2), layer-scale gamma),
// NormMlpClassifierHead. ConvNeXt V1 and V2, atto..xxlarge.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Opts {
  bool conv_mlp, grn, gamma, bias;
};

ModulePtr block_mlp(const Opts& o, int64_t chs) {
  int64_t hidden = 4 * chs;
  auto lin = [&](int64_t in, int64_t out) { return o.conv_mlp ? conv2d(in, out, 1, true) : linear(in, out); };
  auto m = make(o.grn ? "GlobalResponseNormMlp" : "Mlp");
  m->add("fc1", lin(chs, hidden));
  m->add("act", leaf("GELU"));
  m->add("drop1", leaf("Dropout"));
  if (o.grn) {
    auto g = make("GlobalResponseNorm");
    g->param("weight", {hidden});
    g->param("bias", {hidden});
    m->add("grn", g);
  } else {
    m->add("norm", leaf("Identity"));
  }
  m->add("fc2", lin(hidden, chs));
  m->add("drop2", leaf("Dropout"));
  return m;
}

ModulePtr block(const Opts& o, int64_t chs, int64_t k) {
  auto b = make("ConvNeXtBlock");
  if (o.gamma) b->param("gamma", {chs});
  b->add("conv_dw", conv2d(chs, chs, k, o.bias, chs));
  b->add("norm", layer_norm(chs, true, o.conv_mlp ? "LayerNorm2d" : "LayerNorm"));
  b->add("mlp", block_mlp(o, chs));
  b->add("shortcut", leaf("Identity"));
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  if (a.s("stem_type") != "patch") a.unsupported("stem_type " + a.s("stem_type"));
  if (a.has("norm_layer")) a.unsupported("norm_layer " + a.layer("norm_layer"));
  if (a.b("head_norm_first")) a.unsupported("head_norm_first");
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  Opts o{a.b("conv_mlp"), a.b("use_grn"), a.has("ls_init_value"), a.b("conv_bias")};
  auto depths = a.ints("depths"), dims = a.ints("dims"), ks = a.ints("kernel_sizes");
  if (ks.size() == 1) ks.assign(4, ks[0]);
  if (depths.size() != 4 || dims.size() != 4 || ks.size() != 4) a.unsupported("not four stages");
  auto root = make("ConvNeXt");
  auto stem = make("Sequential");
  stem->add("0", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dims[0], a.i("patch_size"), o.bias));
  stem->add("1", layer_norm(dims[0], true, "LayerNorm2d"));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = dims[0];
  for (int i = 0; i < 4; ++i) {
    auto st = make("ConvNeXtStage");
    if (i > 0) {
      auto ds = make("Sequential");
      ds->add("0", layer_norm(prev, true, "LayerNorm2d"));
      ds->add("1", conv2d(prev, dims[i], 2, o.bias));
      st->add("downsample", ds);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    st->add("blocks", timm::seq(timm::checked(depths[i], 0, 1000, "depths"), [&](int64_t) { return block(o, dims[i], ks[i]); }));
    stages->add(std::to_string(i), st);
    prev = dims[i];
  }
  root->add("stages", stages);
  root->add("norm_pre", leaf("Identity"));
  int64_t hidden = a.has("head_hidden_size") ? a.i("head_hidden_size") : 0;
  root->add("head", timm::norm_mlp_head(prev, a.i("num_classes"), "LayerNorm2d", hidden));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"ConvNeXt"}, build);

}  // namespace
}  // namespace memfit
