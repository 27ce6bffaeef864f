// timm EfficientNet (timm/models/efficientnet.py): conv_stem, bn1, the builder's block stages, conv_head, bn2,
// global_pool, classifier; every registered EfficientNet / EfficientNetV2 / MixNet / MnasNet / FBNet / TinyNet... from
// the block strings and multipliers its _gen_* function passes (data/timm/models.json).
#include "arch/timm/effnet_builder.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const timm::Args& a) {
  timm::EffnetBuilder b(a);
  int64_t stem = a.b("fix_stem") ? a.i("stem_size") : b.round_chs(static_cast<double>(a.i("stem_size")));
  auto root = make("EfficientNet");
  root->add("conv_stem", b.conv(a.i("in_chans"), stem, {a.i("stem_kernel_size")}));
  root->add("bn1", b.norm_act(stem));
  root->add("blocks", b.build(stem));
  int64_t features = a.i("num_features");
  if (features > 0) {
    root->add("conv_head", conv2d(b.in_chs, features, 1, false));
    root->add("bn2", b.norm_act(features));
  } else {
    root->add("conv_head", leaf("Identity"));
    root->add("bn2", leaf("Identity"));
    features = b.in_chs;
  }
  root->add("global_pool", timm::select_pool());
  root->add("classifier", timm::fc_or_identity(features, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"EfficientNet"}, build);

}  // namespace
}  // namespace memfit
