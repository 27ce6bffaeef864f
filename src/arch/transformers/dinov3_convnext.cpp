// DINOv3 ConvNeXt: transformers' modeling_dinov3_convnext.py. Stages of (downsample_layers: a stride-4 Conv2d + norm
// for stage 0, norm + stride-2 Conv2d after) and ConvNeXt layers (depthwise 7x7 Conv2d, LayerNorm, pointwise
// Linear 4x up and down, layer scale gamma) under `model.stages`; a final LayerNorm.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr convnext_layer(int64_t ch, const std::string& act) {
  auto l = make("DINOv3ConvNextLayer");
  l->add("depthwise_conv", conv2d(ch, ch, 7, true, ch));
  l->add("layer_norm", layer_norm(ch, true, "DINOv3ConvNextLayerNorm"));
  l->add("pointwise_conv1", linear(ch, 4 * ch));
  l->add("activation_fn", leaf(act));
  l->add("pointwise_conv2", linear(4 * ch, ch));
  l->param("gamma", {ch});
  l->add("drop_path", leaf("Identity"));
  return l;
}

ModulePtr encoder(const Config& c) {
  auto sizes = media::dims(c, "hidden_sizes", {96, 192, 384, 768});
  auto depths = media::dims(c, "depths", {3, 3, 9, 3}, 0);
  media::require(c, sizes.size() == depths.size(), "hidden_sizes and depths differ in length");
  int64_t in = media::dim(c, "num_channels", 3);
  std::string act = act_class(c.s("hidden_act", "gelu"));
  auto stages = make("ModuleList");
  for (size_t i = 0; i < sizes.size(); ++i) {
    int64_t out = sizes[i];
    auto norm = [&](int64_t ch) { return layer_norm(ch, true, "DINOv3ConvNextLayerNorm"); };
    std::vector<ModulePtr> down = i == 0 ? std::vector<ModulePtr>{conv2d(in, out, 4), norm(out)}
                                         : std::vector<ModulePtr>{norm(sizes[i - 1]), conv2d(sizes[i - 1], out, 2)};
    auto stage = make("DINOv3ConvNextStage");
    stage->add("downsample_layers", module_list(std::move(down)));
    stage->add("layers", repeat(convnext_layer(out, act), depths[i]));
    stages->add(std::to_string(i), stage);
  }
  auto e = make("DINOv3ConvNextEncoder");
  e->add("stages", stages);
  return e;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "DINOv3ConvNextModel") heads::unsupported(cls);
  auto m = make("DINOv3ConvNextModel");
  m->add("model", encoder(c));
  m->add("layer_norm", layer_norm(media::dims(c, "hidden_sizes", {96, 192, 384, 768}).back()));
  m->add("pool", leaf("AdaptiveAvgPool2d"));
  return {m, {"DINOv3ConvNextLayer"}};
}

MEMFIT_FAMILY({"dinov3_convnext"}, "DINOv3ConvNext", build);

}  // namespace
}  // namespace memfit
