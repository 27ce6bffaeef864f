// The efficient / hybrid ViT builders (Levit, FastVit, Hiera, HieraDet, MultiScaleVit, DaVit, GlobalContextVit,
// TinyVit, EfficientVit*, EfficientFormer*, SwiftFormer, SHViT, NextViT) on registered names the sweep fixtures
// withhold: built from {"architecture"} alone (the default pretrained cfg applies), each count agreeing with the
// parameter count timm's own results tables publish (results/*.csv at v1.0.28, millions to two decimals).
#include <gtest/gtest.h>

#include <cmath>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(TimmEfficientVits, WithheldNamesMatchPublishedCounts) {
  struct Case {
    const char* arch;
    uint64_t params;
    double published_m;
  };
  const Case cases[] = {
      {"davit_base_fl", 90370048, 90.37},       {"davit_large", 196811752, 196.81},
      {"efficientformerv2_s0", 3600256, 3.60},  {"efficientvit_b0", 3410008, 3.41},
      {"efficientvit_b1", 9102024, 9.10},       {"efficientvit_m4", 8804228, 8.80},
      {"fastvit_sa12", 11580968, 11.58},        {"gcvit_tiny", 28221974, 28.22},
      {"hiera_huge_224", 672779752, 672.78},    {"hiera_small_224", 35008072, 35.01},
      {"hiera_small_abswin_256", 34361800, 34.36}, {"hiera_tiny_224", 27910216, 27.91},
      {"levit_512_s8", 74046696, 74.05},        {"levit_conv_512", 95173700, 95.17},
      {"levit_128s", 7777058, 7.78},            {"levit_conv_192", 10947069, 10.95},
      {"levit_conv_256", 18893876, 18.89},      {"mvitv2_huge_cls", 694804128, 694.80},
      {"hieradet_small", 34730344, 34.73},      {"swiftformer_s", 6092128, 6.09},
      {"swiftformer_xs", 3475360, 3.48},        {"tiny_vit_21m_512", 21268120, 21.27},
  };
  for (const auto& c : cases) {
    auto built = build_timm(Json{{"architecture", c.arch}});
    ASSERT_TRUE(built) << c.arch << ": " << built.error().message;
    uint64_t got = measure(built->model).parameters;
    EXPECT_EQ(got, c.params) << c.arch;
    EXPECT_EQ(std::llround(static_cast<double>(got) / 1e4), std::llround(c.published_m * 100)) << c.arch;
  }
}

// Argument values timm itself fails on are refused with a reason, never a number or a crash.
TEST(TimmEfficientVits, ImpossibleArgumentsAreUnsupported) {
  const std::pair<const char*, Json> cases[] = {
      {"nextvit_small", {{"head_dim", 100}}},
      {"hiera_tiny_224", {{"patch_stride", {0, 0}}}},
      {"levit_128", {{"stem_type", "s32"}}},
      {"efficientvit_b0", {{"head_dim", 4096}}},
      {"gcvit_xxtiny", {{"window_size", 0}}},
  };
  for (const auto& [arch, args] : cases) {
    auto built = build_timm(Json{{"architecture", arch}, {"model_args", args}});
    ASSERT_FALSE(built) << arch;
    EXPECT_EQ(built.error().kind, ErrorKind::Unsupported) << arch << ": " << built.error().message;
    EXPECT_TRUE(built.error().message.starts_with(std::string("not supported: timm `") + arch + "`"))
        << built.error().message;
  }
}

}  // namespace
