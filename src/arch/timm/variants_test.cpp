// timm variants without a fixture: each builder's other registered architectures, built from a minimal config
// ({"architecture", "num_classes": 1000}) and checked against the parameter counts timm publishes for them
// (timm model cards / results tables; torchvision's for densenet and vgg, whose weights timm loads unchanged).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

uint64_t params_of(const std::string& arch) {
  Json cfg = {{"architecture", arch}, {"num_classes", 1000}};
  auto built = build_timm(cfg);
  EXPECT_TRUE(built) << arch << ": " << built.error().message;
  return built ? measure(built->model).parameters : 0;
}

TEST(TimmVariants, PublishedParameterCounts) {
  const std::pair<const char*, uint64_t> cases[] = {
      {"vit_tiny_patch16_224", 5717416},       {"vit_small_patch16_224", 22050664},
      {"vit_base_patch32_224", 88224232},      {"vit_large_patch16_224", 304326632},
      {"convnext_small", 50223688},            {"convnext_base", 88591464},
      {"swin_tiny_patch4_window7_224", 28288354},
      {"efficientnet_b1", 7794184},            {"efficientnet_b3", 12233232},
      {"mobilenetv3_small_100", 2542856},      {"densenet169", 14149480},
      {"densenet201", 20013928},               {"densenet161", 28681000},
      {"vgg11", 132863336},                    {"vgg19", 143667240},
      {"regnety_032", 19436338},               {"hrnet_w32", 41232680},
      {"convnext_tiny", 28589128},             {"convnext_large", 197767336},
      {"swin_small_patch4_window7_224", 49606258},
      {"efficientnet_b4", 19341616},           {"efficientnet_b7", 66347960},
      {"regnetx_002", 2684792},                {"regnety_016", 11202430},
      {"mixer_l16_224", 208196168},            {"vgg16_bn", 138365992},
      {"vit_base_patch16_384", 86859496},
  };
  for (const auto& [arch, want] : cases) EXPECT_EQ(params_of(arch), want) << arch;
}

TEST(TimmVariants, UnknownVariantIsUnsupported) {
  Json cfg = {{"architecture", "convnext_gigantic"}, {"num_classes", 1000}};
  auto built = build_timm(cfg);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().kind, ErrorKind::Unsupported);
  EXPECT_EQ(built.error().message, "not supported: `convnext_gigantic` is not a model timm 1.0.28 registers");
}

TEST(TimmVariants, ModelArgsApplyOrAreRefused) {
  // timm.create_model(arch, **model_args): num_classes / in_chans / img_size are applied ...
  Json cfg = {{"architecture", "vit_tiny_patch16_224"},
              {"model_args", {{"num_classes", 10}, {"in_chans", 1}, {"img_size", 32}}}};
  auto built = build_timm(cfg);
  ASSERT_TRUE(built) << built.error().message;
  // 5717416 - head (192*1000+1000) + head (192*10+10) - patch_embed (2*192*256) - pos_embed ((196-4)*192)
  EXPECT_EQ(measure(built->model).parameters, 5717416u - 193000 + 1930 - 98304 - 36864);
  // ... as is any other argument of the class (the registered arguments are data, data/timm/models.json):
  // 6 of the 12 blocks of 444864 parameters each.
  Json other = {{"architecture", "vit_tiny_patch16_224"}, {"model_args", {{"depth", 6}}}};
  auto fewer = build_timm(other);
  ASSERT_TRUE(fewer) << fewer.error().message;
  EXPECT_EQ(measure(fewer->model).parameters, 5717416u - 6 * 444864u);
  // ... and a keyword the class does not take (timm raises TypeError) is refused, not guessed.
  Json unknown = {{"architecture", "vit_tiny_patch16_224"}, {"model_args", {{"no_such_arg", 1}}}};
  auto refused = build_timm(unknown);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::Unsupported);
  EXPECT_NE(refused.error().message.find("not supported: "), std::string::npos) << refused.error().message;
}

TEST(TimmVariants, TinyImageIsAnErrorNotACrash) {
  Json cfg = {{"architecture", "swin_tiny_patch4_window7_224"}, {"model_args", {{"img_size", 8}}}};
  auto built = build_timm(cfg);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().kind, ErrorKind::BadInput);
}

}  // namespace
