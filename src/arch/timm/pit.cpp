// timm PoolingVisionTransformer (timm/models/pit.py) from its registered arguments: ConvEmbedding, pos_embed over
// the conv grid, cls_token (two with distilled), Transformer stages (Pooling depthwise conv + fc between stages,
// ViT Blocks), norm, head (and head_dist).
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const timm::Args& a) {
  auto dims = a.ints("base_dims"), depth = a.ints("depth"), heads = a.ints("heads"), img = a.ints("img_size");
  size_t n = depth.size();
  if (img.size() == 1) img.push_back(img[0]);
  if (n == 0 || dims.size() < n || heads.size() < n || img.size() != 2) a.unsupported("base_dims / depth / heads lengths");
  if (a.s("global_pool") != "token") a.unsupported("global_pool " + a.s("global_pool"));
  int64_t patch = timm::checked(a.i("patch_size"), 1, 1 << 10, "patch_size"), stride = timm::checked(a.i("stride"), 1, 1 << 10, "stride");
  bool distilled = a.b("distilled");
  int64_t classes = a.i("num_classes"), dim = timm::checked(dims[0] * heads[0], 1, 1 << 14, "base_dims * heads");
  auto root = make("PoolingVisionTransformer");
  auto pe = make("ConvEmbedding");
  pe->add("conv", conv2d(a.i("in_chans"), dim, patch));
  root->add("patch_embed", pe);
  root->param("pos_embed", {1, dim, (img[0] - patch) / stride + 1, (img[1] - patch) / stride + 1});
  root->param("cls_token", {1, distilled ? 2 : 1, dim});
  root->add("pos_drop", leaf("Dropout"));
  auto stages = make("SequentialTuple");
  int64_t prev = dim;
  for (size_t i = 0; i < n; ++i) {
    int64_t d = timm::checked(timm::checked(dims[i], 1, 1 << 14, "base_dims") * timm::checked(heads[i], 1, 1024, "heads"), 1, 1 << 14, "base_dims * heads");
    auto t = make("Transformer");
    if (i > 0) {
      auto pool = make("Pooling");
      pool->add("conv", conv2d(prev, d, 3, true, prev));
      pool->add("fc", linear(prev, d));
      t->add("pool", pool);
    }
    t->add("norm", leaf("Identity"));
    int64_t hidden = static_cast<int64_t>(static_cast<double>(d) * a.f("mlp_ratio"));
    t->add("blocks", timm::seq(timm::checked(depth[i], 0, 1024, "depth"), [&](int64_t) { return timm::vit_block(d, heads[i], hidden, true); }));
    stages->add(std::to_string(i), t);
    prev = d;
  }
  root->add("transformers", stages);
  root->add("norm", layer_norm(prev));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(prev, classes));
  if (distilled) root->add("head_dist", timm::fc_or_identity(prev, classes));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"PoolingVisionTransformer"}, build);

}  // namespace
}  // namespace memfit
