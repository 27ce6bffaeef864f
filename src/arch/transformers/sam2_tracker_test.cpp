// Hand-checked SAM 2 (no sweep case for `sam2`: its default config is withheld). Sam2Model is Sam2VideoModel without
// the memory modules, so the sam2_video sweep case (the real accelerate's numbers, copied in tests/data/sweep)
// gives its parts: vision_encoder 108,876,544 bytes, prompt_encoder 25,904 (its 1,024-byte positional buffer
// included), mask_decoder 16,860,436, shared_image_embedding 1,024 (a buffer), no_memory_embedding 1,024.
// The default Sam2Config is facebook/sam2.1-hiera-tiny's (published: 38.9M parameters for the full video model).
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

TEST(Sam2, DefaultConfigMatchesTheVideoModelsParts) {
  auto built = build_transformers(Json::parse(R"({"model_type": "sam2"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Sam2Model");
  Measurement m = measure(built->model);
  // Bytes: 108,876,544 + 25,904 + 16,860,436 + 1,024 + 1,024 = 125,764,932; buffers: the two [2, 128] positional
  // embeddings (2,048 bytes), so (125,764,932 - 2,048) / 4 = 31,440,721 parameters.
  EXPECT_EQ(m.parameters, 31440721u);
  EXPECT_EQ(m.total_bits, 125764932u * 8);
  // Mask decoder by hand: iou_token 256, mask_tokens 1,024, two-way transformer 3,291,264 (2 blocks of self
  // attention 263,168, two cross attentions 2 x 131,712, MLP 256->2048->256 1,050,880, four LayerNorms 2,048;
  // final attention 131,712 and LayerNorm 512), upscale convs 65,600 + 8,224, LayerNorm 128, four hypernetwork MLPs
  // 4 x 139,808, IoU head 132,612, conv_s0 8,224, conv_s1 16,448, obj_score_token 256, object-score head 131,841
  // = 4,215,109 (16,860,436 bytes).
  auto sizes = module_sizes(built->model);
  auto size = [&](const std::string& k) {
    auto it = std::find_if(sizes.begin(), sizes.end(), [&](const auto& e) { return e.first == k; });
    return it == sizes.end() ? 0 : it->second / 8;
  };
  EXPECT_EQ(size("mask_decoder"), 16860436u);
  EXPECT_EQ(size("vision_encoder"), 108876544u);
  EXPECT_EQ(size("prompt_encoder"), 25904u);
  EXPECT_TRUE(has(built->model, "shared_image_embedding.positional_embedding"));
  EXPECT_TRUE(has(built->model, "prompt_encoder.point_embed.weight"));
  EXPECT_TRUE(has(built->model, "mask_decoder.pred_obj_score_head.layers.0.weight"));
  EXPECT_TRUE(has(built->model, "vision_encoder.backbone.blocks.11.mlp.proj_in.weight"));
  EXPECT_FALSE(has(built->model, "memory_attention.layer_norm.weight"));
  EXPECT_TRUE(built->model.no_split.empty());
}

}  // namespace
}  // namespace memfit
