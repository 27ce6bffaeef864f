// qwen3_5 (withheld from the default-config sweep): modeling_qwen3_5.py's Qwen3_5Model is
// `visual` = AutoModel(vision_config) then `language_model` = AutoModel(text_config), with no parameter of its own
// (rope_deltas is a plain attribute). Qwen3_5Config fills both sub-configs with their classes' defaults, so the default
// composite is exactly the qwen3_5_vision sweep case plus the qwen3_5_text sweep case, both checked byte-exactly by
// families_sweep_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

uint64_t size_of(const std::vector<std::pair<std::string, uint64_t>>& sizes, const std::string& name) {
  auto it = std::find_if(sizes.begin(), sizes.end(), [&](const auto& e) { return e.first == name; });
  return it == sizes.end() ? 0 : it->second;
}

TEST(Qwen3_5, DefaultCompositeIsTheVisionAndTextSweepCases) {
  auto built = build_transformers(Json::parse(R"({"model_type": "qwen3_5"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Qwen3_5Model");
  Measurement m = measure(built->model);
  // qwen3_5_vision sweep case: 453,650,672 parameters, 72 B of buffers (rotary_pos_emb.inv_freq), 1,814,602,760 B.
  // qwen3_5_text sweep case: 7,936,684,544 parameters, 256 B of buffers (inv_freq, original_inv_freq),
  // 31,746,738,432 B.
  EXPECT_EQ(m.parameters, 453'650'672ull + 7'936'684'544ull);
  EXPECT_EQ(m.parameters, 8'390'335'216ull);
  EXPECT_EQ(m.buffer_bits, (72ull + 256) * 8);
  EXPECT_EQ(m.total_bits / 8, 1'814'602'760ull + 31'746'738'432ull);
  // The largest layer: the text embedding, 248320 x 4096 float32 = 4,068,474,880 B, above a 873,628,416 B DeltaNet
  // layer and the vision merger's 84,953,088 B linear_fc1.
  EXPECT_EQ(m.largest_bits / 8, 4'068'474'880ull);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"language_model.embed_tokens"});
  auto sizes = module_sizes(built->model);
  EXPECT_EQ(size_of(sizes, "visual") / 8, 1'814'602'760ull);
  EXPECT_EQ(size_of(sizes, "language_model") / 8, 31'746'738'432ull);
  EXPECT_EQ(built->model.root->child("visual")->cls, "Qwen3_5VisionModel");
  EXPECT_EQ(built->model.root->child("language_model")->cls, "Qwen3_5TextModel");
}

TEST(Qwen3_5, ConditionalGenerationHeadAndATiedNonDefaultConfig) {
  // The architectures class: lm_head 4096 -> 248320 of its own (Qwen3_5Config.tie_word_embeddings defaults False).
  auto head = build_transformers(Json::parse(R"({"model_type": "qwen3_5",
                                                 "architectures": ["Qwen3_5ForConditionalGeneration"]})"),
                                 Target::TaskModel);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->cls, "Qwen3_5ForConditionalGeneration");
  EXPECT_EQ(measure(head->model).parameters, 8'390'335'216ull + 4096ull * 248320);

  // A smaller, tied config in the shape of the small Qwen3.5 checkpoints: text hidden 1024, 4 layers (3 DeltaNet + 1
  // full attention by full_attention_interval 4), vision depth 2. Tied: lm_head adds nothing.
  const char* small = R"({"model_type": "qwen3_5", "tie_word_embeddings": true,
    "architectures": ["Qwen3_5ForConditionalGeneration"],
    "text_config": {"hidden_size": 1024, "num_hidden_layers": 4, "intermediate_size": 3584, "vocab_size": 1000,
                    "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 256,
                    "linear_num_key_heads": 16, "linear_num_value_heads": 16},
    "vision_config": {"depth": 2, "hidden_size": 64, "intermediate_size": 128, "num_heads": 4,
                      "out_hidden_size": 1024, "num_position_embeddings": 16}})";
  auto tied = build_transformers(Json::parse(small), Target::TaskModel);
  auto base = build_transformers(Json::parse(small));
  ASSERT_TRUE(tied) << tied.error().message;
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_EQ(measure(tied->model).parameters, measure(base->model).parameters);
  // Text, module by module (hidden h = 1024, vocab 1000):
  //   embed_tokens 1000*1024 = 1,024,000; norm 1024 (Qwen3_5RMSNorm, 1 + w).
  //   every layer: input_layernorm + post_attention_layernorm 2*1024; MLP gate/up/down 3*1024*3584 = 11,010,048.
  //   DeltaNet (16 k heads and 16 v heads of 128): key_dim = value_dim = 2048, conv_dim = 2*2048 + 2048 = 6144;
  //     conv1d 6144*4 = 24,576 (no bias); dt_bias 16, A_log 16; norm 128; out_proj 2048*1024 = 2,097,152;
  //     in_proj_qkv 1024*6144 = 6,291,456; in_proj_z 1024*2048 = 2,097,152; in_proj_b, in_proj_a 1024*16 each.
  //     = 10,543,264.
  //   attention (8 q heads, 2 kv heads of 256, q_proj doubled for the gate): q 1024*4096 = 4,194,304,
  //     k, v 1024*512 = 524,288 each, o 2048*1024 = 2,097,152, q_norm + k_norm 256 each = 7,340,544.
  //   text = 1,024,000 + 1024 + 4*(2048 + 11,010,048) + 3*10,543,264 + 7,340,544 = 84,043,744.
  // Vision (hidden 64, 4 heads, patch 16, temporal 2, merge 2):
  //   patch_embed Conv3d 3*2*16*16*64 + 64 = 98,368; pos_embed 16*64 = 1024;
  //   each block: norm1 + norm2 2*128, qkv 64*192 + 192 = 12,480, proj 64*64 + 64 = 4,160,
  //     mlp fc1 64*128 + 128 = 8,320, fc2 128*64 + 64 = 8,256 = 33,472;
  //   merger: norm 2*64 = 128, linear_fc1 256*256 + 256 = 65,792, linear_fc2 256*1024 + 1024 = 263,168.
  //   vision = 98,368 + 1024 + 2*33,472 + 128 + 65,792 + 263,168 = 495,424.
  EXPECT_EQ(measure(base->model).parameters, 84'043'744ull + 495'424ull);
}

}  // namespace MEMFIT_TU
