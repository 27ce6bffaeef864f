// ByobNet / CspNet / DLA names without a sweep fixture, built from {"architecture": name} (the default tag's cfg) and
// checked against the parameter counts timm 1.0.28 publishes for them (results/results-imagenet.csv and
// results/benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv, param_count in millions to two decimals).
#include <gtest/gtest.h>

#include <cmath>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(TimmByobCspDla, PublishedParameterCountsOfUnfixturedNames) {
  const std::pair<const char*, double> cases[] = {
      {"botnet26t_256", 12.49},   {"botnet50ts_256", 22.74},    {"sebotnet33ts_256", 13.70},
      {"halonet26t", 12.48},      {"sehalonet33ts", 13.69},     {"gcresnet50t", 25.90},
      {"seresnext26ts", 10.39},   {"gernet_m", 21.14},          {"regnetz_c16", 13.46},
      {"regnetz_d8_evos", 23.46}, {"repvgg_b1", 57.42},         {"repvgg_b3", 123.09},
      {"repvgg_d2se", 133.33},    {"mobileone_s4", 14.95},      {"mobilevit_xxs", 1.27},
      {"mobilevitv2_175", 14.25}, {"resnet50_clip", 38.32},     {"resnet50x4_clip_gap", 65.62},
      {"resnet50x64_clip_gap", 365.03},
      {"cspdarknet53", 27.64},    {"cspresnet50", 21.62},       {"cspresnext50", 20.57},
      {"cs3edgenet_x", 47.82},    {"cs3sedarknet_l", 21.91},    {"cs3sedarknet_x", 35.40},
      {"cs3sedarknet_xdw", 21.60}, {"darknetaa53", 36.02},
      {"dla60_res2net", 20.85},   {"dla60x", 17.35},
  };
  for (const auto& [arch, millions] : cases) {
    auto built = build_timm(Json{{"architecture", arch}});
    ASSERT_TRUE(built) << arch << ": " << built.error().message;
    const uint64_t p = measure(built->model).parameters;
    EXPECT_EQ(std::llround(static_cast<double>(p) / 1e4), std::llround(millions * 100)) << arch << " " << p;
  }
}

TEST(TimmByobCspDla, FixedInputSizeWithoutImageSizeIsRefused) {
  // BottleneckAttn's relative positions need the feature size: timm asserts img_size for these.
  Json cfg = {{"architecture", "botnet26t_256"}, {"pretrained_cfg", {{"input_size", {3, 256, 256}}}},
              {"model_args", {{"img_size", nullptr}}}};
  auto built = build_timm(cfg);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().kind, ErrorKind::Unsupported);
  EXPECT_NE(built.error().message.find("img_size"), std::string::npos) << built.error().message;
}

TEST(TimmByobCspDla, ImageSizeDrivesSelfAttentionPositions) {
  // botnet26t at 320 instead of 256: feature maps 20x20 / 10x10 instead of 16x16 / 8x8 where BottleneckAttn sits
  // (stage 2's second block at /16, stage 3's blocks at /16 then /32), each PosEmbedRel holding (2H-1 + 2W-1) x 64.
  auto at = [](int64_t s) {
    auto b = build_timm(Json{{"architecture", "botnet26t_256"}, {"model_args", {{"img_size", s}}}});
    EXPECT_TRUE(b) << b.error().message;
    return b ? measure(b->model).parameters : 0;
  };
  EXPECT_EQ(at(320) - at(256), static_cast<uint64_t>(2 * (39 - 31) * 64 + 2 * (39 - 31) * 128 + 2 * (19 - 15) * 128));
}

}  // namespace
