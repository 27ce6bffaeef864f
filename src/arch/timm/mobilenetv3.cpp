// timm MobileNetV3 (timm/models/mobilenetv3.py): conv_stem, bn1, the efficientnet builder's stages (SE width from the
// expanded channels by default), global_pool, conv_head (+bias, or + norm_head), act2, flatten, classifier; every
// registered MobileNetV1/V2/V3, LCNet, FBNetV3... from the block strings its _gen_* function passes.
#include "arch/timm/effnet_builder.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const timm::Args& a) {
  timm::EffnetBuilder b(a);
  int64_t stem = a.b("fix_stem") ? a.i("stem_size") : b.round_chs(static_cast<double>(a.i("stem_size")));
  int64_t head = a.i("num_features");
  bool head_norm = a.b("head_norm");
  auto root = make("MobileNetV3");
  root->add("conv_stem", b.conv(a.i("in_chans"), stem, {3}));
  root->add("bn1", b.norm_act(stem));
  root->add("blocks", b.build(stem));
  root->add("global_pool", timm::select_pool());
  root->add("conv_head", conv2d(b.in_chs, head, 1, !head_norm && a.b("head_bias")));
  root->add("norm_head", head_norm ? b.norm_act(head) : leaf("Identity"));
  root->add("act2", head_norm ? leaf("Identity") : leaf("Hardswish"));
  root->add("flatten", leaf("Flatten"));
  root->add("classifier", timm::fc_or_identity(head, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"MobileNetV3"}, build);

}  // namespace
}  // namespace memfit
