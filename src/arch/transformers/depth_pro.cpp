// Depth Pro: transformers' modeling_depth_pro.py (DepthProModel). An encoder of two ViTs AutoModel builds from
// patch_model_config and image_model_config (DINOv2 by default), and a neck: upsample blocks (1x1 projection +
// transposed convs) for the image features, each scaled image and each intermediate hook, a 1x1 fusion conv, and
// 3x3 projections to fusion_hidden_size. The optional field-of-view model (use_fov_model) is not built.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// DepthProFeatureUpsampleBlock: an optional 1x1 projection, then `n` stride-2 transposed convs.
ModulePtr upsample(int64_t in, int64_t mid, int64_t out, int64_t n, bool proj, bool bias) {
  auto layers = make("ModuleList");
  int64_t i = 0;
  if (proj) layers->add(std::to_string(i++), conv2d(in, mid, 1, bias));
  for (int64_t j = 0; j < n; ++j) layers->add(std::to_string(i++), media::conv_transpose2d(j == 0 ? mid : out, out, 2, bias));
  auto b = make("DepthProFeatureUpsampleBlock");
  b->add("layers", layers);
  return b;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "DepthProModel") heads::unsupported(cls);
  if (c.b("use_fov_model", false)) heads::unsupported("DepthProModel with the field-of-view model (use_fov_model)");
  SubConfig pc = sub_config(c, "patch_model_config", {{"model_type", "dinov2"}}, "dinov2");
  SubConfig ic = sub_config(c, "image_model_config", {{"model_type", "dinov2"}}, "dinov2");
  Model patch = auto_model(pc.c), image = auto_model(ic.c);
  int64_t ph = media::dim(pc.c, "hidden_size", 768), ih = media::dim(ic.c, "hidden_size", 768);
  int64_t fusion = media::dim(c, "fusion_hidden_size", 256);
  auto scaled = media::dims(c, "scaled_images_feature_dims", {1024, 1024, 512});
  auto inter = media::dims(c, "intermediate_feature_dims", {256, 256});
  media::require(c, !scaled.empty() && scaled.size() + inter.size() <= 64, "feature dims lists out of range");

  auto pe = make("DepthProPatchEncoder");
  pe->add("model", patch.root);
  auto ie = make("DepthProImageEncoder");
  ie->add("model", image.root);
  auto enc = make("DepthProEncoder");
  enc->add("patch_encoder", pe);
  enc->add("image_encoder", ie);

  auto up = make("DepthProFeatureUpsample");
  up->add("image_block", upsample(ih, ih, scaled[0], 1, false, true));
  auto scaled_blocks = make("ModuleList"), inter_blocks = make("ModuleList");
  for (size_t i = 0; i < scaled.size(); ++i)
    scaled_blocks->add(std::to_string(i), upsample(ph, scaled[i], scaled[i], 1, true, false));
  for (size_t i = 0; i < inter.size(); ++i)
    inter_blocks->add(std::to_string(i),
                      upsample(ph, i == 0 ? fusion : inter[i], inter[i], 2 + static_cast<int64_t>(i), true, false));
  up->add("scaled_images", scaled_blocks);
  up->add("intermediate", inter_blocks);
  auto proj = make("ModuleList");
  std::vector<int64_t> all = scaled;
  all.insert(all.end(), inter.begin(), inter.end());
  for (size_t i = 0; i < all.size(); ++i)
    proj->add(std::to_string(i), i + 1 == all.size() && all[i] == fusion ? leaf("Identity")
                                                                          : conv2d(all[i], fusion, 3, false));
  auto fp = make("DepthProFeatureProjection");
  fp->add("projections", proj);
  auto neck = make("DepthProNeck");
  neck->add("feature_upsample", up);
  neck->add("fuse_image_with_low_res", conv2d(scaled[0] * 2, scaled[0], 1));
  neck->add("feature_projection", fp);
  auto m = make("DepthProModel");
  m->add("encoder", enc);
  m->add("neck", neck);
  return {m, {"DepthProPreActResidualLayer"}};
}

MEMFIT_FAMILY({"depth_pro"}, "DepthPro", build);

}  // namespace
}  // namespace memfit
