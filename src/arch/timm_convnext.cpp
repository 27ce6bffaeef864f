// timm ConvNeXt (timm/models/convnext.py): patch stem, four ConvNeXtStages (downsample norm + conv, ConvNeXtBlocks of
// gamma, depthwise conv_dw, norm, Mlp/ConvMlp), NormMlpClassifierHead.
#include <map>

#include "arch/timm_layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Variant {
  std::vector<int64_t> depths, dims;
  bool conv_mlp = false;
  int64_t head_hidden = 0;
};

ModulePtr convnext_block(int64_t chs, bool conv_mlp) {
  auto b = make("ConvNeXtBlock");
  b->param("gamma", {chs});
  b->add("conv_dw", conv2d(chs, chs, 7, true, chs));
  b->add("norm", layer_norm(chs, true, conv_mlp ? "LayerNorm2d" : "LayerNorm"));
  b->add("mlp", conv_mlp ? timm::conv_mlp(chs, 4 * chs, chs) : timm::mlp(chs, 4 * chs, chs));
  b->add("shortcut", leaf("Identity"));
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, Variant, std::less<>> variants{
      {"convnext_atto", {{2, 2, 6, 2}, {40, 80, 160, 320}, true}},
      {"convnext_femto", {{2, 2, 6, 2}, {48, 96, 192, 384}, true}},
      {"convnext_pico", {{2, 2, 6, 2}, {64, 128, 256, 512}, true}},
      {"convnext_nano", {{2, 2, 8, 2}, {80, 160, 320, 640}, true}},
      {"convnext_tiny", {{3, 3, 9, 3}, {96, 192, 384, 768}}},
      {"convnext_small", {{3, 3, 27, 3}, {96, 192, 384, 768}}},
      {"convnext_base", {{3, 3, 27, 3}, {128, 256, 512, 1024}}},
      {"convnext_large", {{3, 3, 27, 3}, {192, 384, 768, 1536}}},
      {"convnext_large_mlp", {{3, 3, 27, 3}, {192, 384, 768, 1536}, false, 1536}},
      {"convnext_xlarge", {{3, 3, 27, 3}, {256, 512, 1024, 2048}}},
      {"convnext_xxlarge", {{3, 4, 30, 3}, {384, 768, 1536, 3072}}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const Variant& v = it->second;
  auto root = make("ConvNeXt");
  auto stem = make("Sequential");
  stem->add("0", conv2d(timm::in_chans(c), v.dims[0], 4));
  stem->add("1", layer_norm(v.dims[0], true, "LayerNorm2d"));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = v.dims[0];
  for (int i = 0; i < 4; ++i) {
    auto st = make("ConvNeXtStage");
    if (i > 0) {
      auto ds = make("Sequential");
      ds->add("0", layer_norm(prev, true, "LayerNorm2d"));
      ds->add("1", conv2d(prev, v.dims[i], 2));
      st->add("downsample", ds);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    st->add("blocks", repeat(convnext_block(v.dims[i], v.conv_mlp), v.depths[i], "Sequential"));
    stages->add(std::to_string(i), st);
    prev = v.dims[i];
  }
  root->add("stages", stages);
  root->add("norm_pre", leaf("Identity"));
  int64_t classes = timm::num_classes(c);
  root->add("head", timm::norm_mlp_head(prev, classes, "LayerNorm2d", v.head_hidden));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"convnext_"}, build);

}  // namespace
}  // namespace memfit
