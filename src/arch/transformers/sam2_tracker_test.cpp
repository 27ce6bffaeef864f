// Hand-checked SAM 2 (no sweep case for `sam2`: its default config is withheld). Sam2Model is Sam2VideoModel without
// the memory modules, so the sam2_video sweep case (the real accelerate's numbers, copied in tests/data/sweep)
// gives its parts: vision_encoder 108,876,544 bytes, prompt_encoder 25,904 (its 1,024-byte positional buffer
// included), mask_decoder 16,860,436, shared_image_embedding 1,024 (a buffer), no_memory_embedding 1,024.
// The default Sam2Config is facebook/sam2.1-hiera-tiny's (published: 38.9M parameters for the full video model).
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
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

// EdgeTAM-Video (withheld): Sam2VideoModel's parts (the sam2_video sweep case: 164,240,648 bytes, 38,962,498
// parameters, 8,390,656 bytes of buffers; its memory_attention 32,077,824 bytes) with EdgeTAM's memory attention and
// the spatial perceiver.
// memory_attention: 2 layers (not 4) of self-attention 4 x 65,792, cross-attention 65,792 + 2 x 16,640 + 65,792,
//   mlp up 526,336 + down 524,544, three LayerNorms 1,536 = 1,480,448; final LayerNorm 512 -> 2,961,408 parameters;
//   rotary_emb cos/sin [4096, 256] (8,388,608 bytes) and rotary_emb_k over 16 x 16: [256, 256] (524,288 bytes)
// spatial_perceiver: latents_1d and latents_2d 256 x 64 each (32,768); per layer cross and self attention
//   (bias-free 64 -> 64 q/k/v/o) 2 x 16,384, two MLPs (LayerNorm 128, up 64 -> 256, down 256 -> 64) 2 x 32,896,
//   three LayerNorms 384 = 98,944; x2 197,888; final LayerNorm 128 -> 230,784
TEST(Sam2, EdgeTamVideoFromTheSam2VideoCase) {
  auto built = build_transformers(Json::parse(R"({"model_type": "edgetam_video"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "EdgeTamVideoModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 38962498u - (32077824u - 8388608) / 4 + 2961408 + 230784);
  EXPECT_EQ(m.parameters, 36232386u);
  EXPECT_EQ(m.buffer_bits / 8, 8390656u + 524288);
  EXPECT_EQ(m.total_bits / 8, 164240648u - 32077824 + (2961408u * 4 + 8388608 + 524288) + 230784 * 4);
  auto size = [&](const std::string& k) { return testing_util::module_bytes(built->model, k); };
  EXPECT_EQ(size("memory_attention"), 2961408u * 4 + 8388608 + 524288);
  EXPECT_EQ(size("spatial_perceiver"), 230784u * 4);
  EXPECT_EQ(size("vision_encoder"), 108876544u);
  EXPECT_EQ(size("mask_decoder"), 16860436u);
  EXPECT_TRUE(has(built->model, "memory_attention.layers.1.mlp.up_proj.weight"));
  EXPECT_TRUE(has(built->model, "spatial_perceiver.layers.1.self_mlp.down_proj.weight"));
  EXPECT_FALSE(has(built->model, "memory_attention.layers.0.linear1.weight"));
  // Largest layers: unchanged from the sweep case (the vision MLPs).
  EXPECT_EQ(m.largest_names, (std::vector<std::string>{"vision_encoder.backbone.blocks.10.mlp.proj_in",
                                                       "vision_encoder.backbone.blocks.11.mlp.proj_in"}));
}

}  // namespace
}  // namespace memfit
