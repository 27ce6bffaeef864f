// Hand-checked DINOv3 ViT (no sweep fixture: the default config is withheld): the default DINOv3ViTConfig
// (ViT-S/16) and facebook/dinov3-vitb16-pretrain-lvd1689m's hyper-parameters.
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

bool has(const Model& m, const std::string& n) {
  auto names = checkpoint_tensors(m);
  return std::any_of(names.begin(), names.end(), [&](const auto& t) { return t.name == n; });
}

TEST(DINOv3ViT, DefaultConfigMatchesHandCount) {
  auto built = build_transformers(Json::parse(R"({"model_type": "dinov3_vit"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "DINOv3ViTModel");
  // hidden 384, 12 layers, 6 heads, MLP 1536, patch 16, no register tokens.
  // Embeddings: cls 384 + mask 384 + patch conv 3*384*16*16 + 384 = 296,064.
  // Layer: norm1 768, k_proj (no bias) 147,456, v/q/o_proj 3 x 147,840, layer_scale1 384, norm2 768,
  //   up_proj 384*1536+1536 = 591,360, down_proj 1536*384+384 = 590,208, layer_scale2 384 = 1,774,848.
  // norm 768.  Total 296,064 + 12 x 1,774,848 + 768 = 21,595,008.
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 21595008u);
  // RoPE inv_freq: ceil(1 / (4 / 64)) = 16 float32 (non-persistent buffer).
  EXPECT_EQ(m.total_bits, (21595008u * 4 + 16 * 4) * 8);
  // _no_split_modules = ["DINOv3ViTLayer"]: a layer is the largest block.
  EXPECT_EQ(m.largest_bits, 1774848u * 4 * 8);
  ASSERT_EQ(m.largest_names.size(), 12u);
  EXPECT_EQ(m.largest_names[0], "model.layer.0");
  EXPECT_TRUE(has(built->model, "embeddings.register_tokens"));
  EXPECT_TRUE(has(built->model, "model.layer.11.attention.k_proj.weight"));
  EXPECT_FALSE(has(built->model, "model.layer.11.attention.k_proj.bias"));
  EXPECT_TRUE(has(built->model, "model.layer.0.layer_scale2.lambda1"));
  EXPECT_TRUE(has(built->model, "norm.bias"));
}

TEST(DINOv3ViT, VitB16MatchesPublishedSize) {
  auto built = build_transformers(Json::parse(R"({
    "model_type": "dinov3_vit", "hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12,
    "num_hidden_layers": 12, "num_register_tokens": 4, "patch_size": 16, "key_bias": false,
    "use_gated_mlp": false, "architectures": ["DINOv3ViTModel"]})"));
  ASSERT_TRUE(built) << built.error().message;
  // Embeddings 768 + 768 + 4*768 + 3*768*256 + 768 = 595,200; layers 12 x 7,088,640; norm 1,536:
  // 85,660,416 (published: 86M).
  EXPECT_EQ(measure(built->model).parameters, 85660416u);
}

}  // namespace
}  // namespace memfit
