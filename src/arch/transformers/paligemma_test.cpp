// PaliGemma (paligemma, withheld from the default-config sweep; its parts are checked through the pi0 sweep case):
// the default config ({"model_type": "paligemma"}, filled as AutoConfig fills it, the text vocabulary passed on from
// PaliGemmaConfig.vocab_size) against a parameter count derived here from modeling_paligemma.py, and
// google/paligemma-3b-pt-224's published size.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// SigLIP vision tower, hidden 1152, 27 layers, 16x16 patches of 14 pixels (224 px), no head, MLP width `inter`:
// patch_embedding 3*1152*14*14 + 1152 = 678,528, position_embedding 256*1152 = 294,912, post_layernorm 2,304, and per
// layer k/v/q/out_proj 4 * (1152^2 + 1152) = 5,313,024, two LayerNorms 4,608, fc1 + fc2 2*1152*inter + inter + 1152.
uint64_t siglip_so400m(uint64_t inter) {
  return 678'528ull + 294'912 + 2'304 + 27 * (5'313'024ull + 4'608 + 2 * 1152 * inter + inter + 1152);
}
// Gemma text model, hidden 2048, 18 layers, 8 query heads and 1 KV head of 256, MLP 16384: per layer q 2048*2048,
// k and v 2048*256 each, o 2048*2048 (9,437,184), gate/up/down 3*2048*16384 (100,663,296), two RMSNorms 4,096:
// 110,104,576; x18 = 1,981,882,368, final norm 2,048, embed_tokens vocab * 2048.
uint64_t gemma_2b(uint64_t vocab) { return vocab * 2048 + 1'981'882'368ull + 2'048; }

TEST(PaliGemma, DefaultConfigMatchesTheModuleTree) {
  auto b = build_transformers(Json::parse(R"({"model_type": "paligemma"})"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "PaliGemmaModel");
  Measurement m = measure(b->model);
  // PaliGemmaConfig's omitted vision config has intermediate_size 4096 (siglip_so400m(4096) = 399,497,472); the
  // projector is Linear(1152, projection_dim 2048) = 2,361,344; the omitted text config takes vocab_size 257,152.
  const uint64_t params = siglip_so400m(4096) + 2'361'344 + gemma_2b(257'152);
  EXPECT_EQ(params, 2'910'390'528ull);
  EXPECT_EQ(m.parameters, params);
  // The text embeddings (no-split modules: GemmaDecoderLayer, PaliGemmaMultiModalProjector, SigLIP's) are largest.
  // Buffers: SigLIP's position_ids [1, 256] int64, Gemma's RoPE inv_freq / original_inv_freq [128] float32 each and
  // embed_scale.
  EXPECT_EQ(m.buffer_bits, 256ull * 64 + 2 * 128 * 32 + 32);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"language_model.embed_tokens"});
  // (GemmaScaledWordEmbedding also holds embed_scale, a float32 scalar buffer.)
  EXPECT_EQ(m.largest_bits, 257'152ull * 2048 * 32 + 32);
  auto root = b->model.root;
  ASSERT_NE(root->child("vision_tower"), nullptr);
  EXPECT_EQ(root->child("vision_tower")->cls, "SiglipVisionModel");
  EXPECT_EQ(root->child("vision_tower")->child("head"), nullptr);
  EXPECT_EQ(root->child("multi_modal_projector")->child("linear")->params[0].second.shape,
            (std::vector<int64_t>{2048, 1152}));
  EXPECT_EQ(root->child("language_model")->cls, "GemmaModel");
}

TEST(PaliGemma, Pt224CheckpointSizeAndTiedHead) {
  // google/paligemma-3b-pt-224's config.json (the keys that shape the model).
  auto cfg = Json::parse(R"({"model_type": "paligemma", "architectures": ["PaliGemmaForConditionalGeneration"],
    "hidden_size": 2048, "projection_dim": 2048, "vocab_size": 257216,
    "text_config": {"hidden_size": 2048, "intermediate_size": 16384, "model_type": "gemma",
                    "num_attention_heads": 8, "num_hidden_layers": 18, "num_image_tokens": 256,
                    "num_key_value_heads": 1, "vocab_size": 257216},
    "vision_config": {"hidden_size": 1152, "intermediate_size": 4304, "model_type": "siglip_vision_model",
                      "num_attention_heads": 16, "num_hidden_layers": 27, "num_image_tokens": 256,
                      "patch_size": 14, "projection_dim": 2048, "vision_use_head": false}})");
  auto b = build_transformers(cfg, Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "PaliGemmaForConditionalGeneration");
  // Published: 2,923,466,480 parameters (lm_head tied to the text embeddings).
  EXPECT_EQ(measure(b->model).parameters, siglip_so400m(4304) + 2'361'344 + gemma_2b(257'216));
  EXPECT_EQ(measure(b->model).parameters, 2'923'466'480ull);
  EXPECT_EQ(b->model.root->child("lm_head")->params[0].second.tied_to, "model.language_model.embed_tokens.weight");
}

TEST(PI0, TaskModelAddsTheActionHeads) {
  auto b = build_transformers(Json::parse(R"({"model_type": "pi0", "architectures": ["PI0ForConditionalGeneration"]})"),
                              Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  auto base = build_transformers(Json::parse(R"({"model_type": "pi0"})"));
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_EQ(base->cls, "PI0Model");
  // embed_action_time: action_in_proj and state_proj Linear(32, 1024) 33,792 each, action_time_mlp_in
  // Linear(2048, 1024) 2,098,176, action_time_mlp_out Linear(1024, 1024) 1,049,600; action_out_proj Linear(1024, 32)
  // 32,800: 3,248,160 more than PI0Model.
  EXPECT_EQ(measure(b->model).parameters, measure(base->model).parameters + 3'248'160ull);
  // sinusoid_freq: dit hidden / 2 float32 frequencies.
  EXPECT_EQ(measure(b->model).buffer_bits, measure(base->model).buffer_bits + 512ull * 32);
}

}  // namespace
