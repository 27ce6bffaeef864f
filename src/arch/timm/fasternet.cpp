// timm FasterNet (timm/models/fasternet.py) from its registered arguments: a patch-conv PatchEmbed, stages (Block) of
// MLPBlocks (1x1 conv Mlp with BatchNorm, Partial_conv3 on 1/n_div of the channels, optional layer_scale) followed by
// a PatchMerging downsample from the previous stage, then pool, a 1x1 conv_head and the classifier.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const timm::Args& a) {
  std::string norm = a.layer("norm_layer");
  if (norm != "nn.BatchNorm2d" && norm != "BatchNorm2d") a.unsupported("norm_layer " + norm);
  std::string act = a.layer("act_layer");
  if (auto dot = act.rfind('.'); dot != std::string::npos) act = act.substr(dot + 1);
  auto depths = a.ints("depths");
  if (depths.empty() || depths.size() > 8) a.unsupported("depths");
  int64_t embed = timm::checked(a.i("embed_dim"), 1, 1 << 16, "embed_dim");
  int64_t n_div = timm::checked(a.i("n_div"), 1, 1 << 16, "n_div");
  double ratio = a.f("mlp_ratio");
  if (!(ratio > 0 && ratio <= 64)) a.unsupported("mlp_ratio");
  bool ls = a.f("layer_scale_init_value") > 0;
  int64_t merge = a.i("merge_size"), patch = a.i("patch_size");
  auto root = make("FasterNet");
  auto pe = make("PatchEmbed");
  pe->add("proj", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), embed, patch, false));
  pe->add("norm", a.b("patch_norm") ? batch_norm(embed) : leaf("Identity"));
  root->add("patch_embed", pe);
  auto stages = make("Sequential");
  int64_t dim = embed;
  for (size_t i = 0; i < depths.size(); ++i) {
    dim = embed << i;
    int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * ratio), pc = dim / n_div;
    auto blk = make("MLPBlock");
    if (ls) blk->param("layer_scale", {dim});
    auto m = make("Sequential");
    m->add("0", conv2d(dim, hidden, 1, false));
    m->add("1", batch_norm(hidden));
    m->add("2", leaf(act));
    m->add("3", conv2d(hidden, dim, 1, false));
    blk->add("mlp", m);
    auto sm = make("Partial_conv3");
    sm->add("partial_conv3", conv2d(pc, pc, 3, false));
    blk->add("spatial_mixing", sm);
    blk->add("drop_path", leaf("Identity"));
    auto st = make("Block");
    st->add("blocks", repeat(blk, timm::checked(depths[i], 0, 1000, "depths"), "Sequential"));
    if (i > 0) {
      auto pm = make("PatchMerging");
      pm->add("reduction", conv2d(dim / 2, dim, merge, false));
      pm->add("norm", batch_norm(dim));
      st->add("downsample", pm);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    stages->add(std::to_string(i), st);
  }
  root->add("stages", stages);
  int64_t feat = timm::checked(a.i("feature_dim"), 1, 1 << 20, "feature_dim");
  root->add("global_pool", timm::select_pool());
  root->add("conv_head", conv2d(dim, feat, 1, false));
  root->add("act", leaf(act));
  root->add("flatten", leaf(a.s("global_pool").empty() ? "Identity" : "Flatten"));
  root->add("classifier", timm::fc_or_identity(feat, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"FasterNet"}, build);

}  // namespace
}  // namespace memfit
