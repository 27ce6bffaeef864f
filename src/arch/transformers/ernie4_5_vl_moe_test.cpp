// ernie4_5_vl_moe (withheld from the default-config sweep; its _text and _vision sub-configs have no AutoModel of
// their own): Ernie4_5_VLMoeConfig's default derived module by module from modeling_ernie4_5_vl_moe.py.
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

// Text (hidden 2560, vocab 103424, 28 layers, 20 heads of 128, 4 kv heads, no bias):
//   embed_tokens 103424 * 2560 = 264,765,440; norm 2560; rotary_emb: buffer inv_freq [64] only.
//   attention q, o 2560 * 2560, k, v 2560 * 512 = 15,728,640; input/post_attention_layernorm 2 * 2560 = 5120.
//   layer 0 (mlp_layer_types "dense"): gate/up/down 3 * 2560 * 12288 = 94,371,840.
//   layers 1..27 ("sparse"), Ernie4_5_VLMoeMoeBlock:
//     text_moe: gate weight 64 * 2560 = 163,840, moe_statics.e_score_correction_bias [1, 64] (a parameter) 64,
//       experts gate_up_proj 64 * 2 * 1536 * 2560 = 503,316,480, down_proj 64 * 2560 * 1536 = 251,658,240
//       -> 755,138,624;
//     vision_moe: the same at width 512 -> 163,840 + 64 + 167,772,160 + 83,886,080 = 251,822,144;
//     shared_experts (1536 * 2 shared = 3072): 3 * 2560 * 3072 = 23,592,960.  -> 1,030,553,728 per layer.
//   text = 264,765,440 + 28 * (15,728,640 + 5120) + 94,371,840 + 27 * 1,030,553,728 + 2560 = 28,624,635,776.
// Vision (hidden 1280, depth 32, 16 heads, intermediate 5120, patch 14):
//   patch_embed.proj Linear(3 * 14 * 14, 1280, bias=False) 752,640; rotary_pos_emb inv_freq [20] (dim 80 // 2 = 40);
//   block: norm1 + norm2 2 * 2560, qkv 1280 * 3840 + 3840, proj 1280 * 1280 + 1280, fc1 1280 * 5120 + 5120,
//     fc2 5120 * 1280 + 1280 = 19,677,440; ln 2560.  vision = 752,640 + 32 * 19,677,440 + 2560 = 630,433,280.
// Resampler (spatial_dim 1280 * 4 = 5120, temporal_dim 10240):
//   spatial_linear fc1 5120 * 5120 + 5120, fc2 the same, ln 10240 = 52,449,280;
//   temporal_linear fc1 10240 * 5120 + 5120, fc2 5120 * 5120 + 5120, ln 10240 = 78,663,680;
//   mlp 5120 * 2560 + 2560 = 13,109,760; after_norm 2560.  resampler = 144,225,280.
constexpr uint64_t kText = 28'624'635'776, kVision = 630'433'280, kResampler = 144'225'280;

TEST(Ernie4_5_VLMoe, DefaultConfigModuleByModule) {
  auto built = build_transformers(Json::parse(R"({"model_type": "ernie4_5_vl_moe"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Ernie4_5_VLMoeModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, kText + kVision + kResampler);
  EXPECT_EQ(m.parameters, 29'399'294'336ull);
  EXPECT_EQ(m.buffer_bits, (64ull + 20) * 32);
  auto sizes = module_sizes(built->model);
  EXPECT_EQ(size_of(sizes, "language_model") / 8, kText * 4 + 64 * 4);
  EXPECT_EQ(size_of(sizes, "vision_tower") / 8, kVision * 4 + 20 * 4);
  EXPECT_EQ(size_of(sizes, "resampler_model") / 8, kResampler * 4);
  // The largest layer: each sparse decoder layer, (15,728,640 + 5120 + 1,030,553,728) * 4 B.
  EXPECT_EQ(m.largest_bits / 8, 4'185'149'952ull);
  ASSERT_EQ(m.largest_names.size(), 27u);
  EXPECT_EQ(m.largest_names.front(), "language_model.layers.1");
  EXPECT_EQ(m.largest_names.back(), "language_model.layers.27");
}

TEST(Ernie4_5_VLMoe, TiedHeadAndANonDefaultConfig) {
  // tie_word_embeddings defaults True: lm_head adds nothing; untied it adds 2560 * 103424.
  auto tied = build_transformers(Json::parse(R"({"model_type": "ernie4_5_vl_moe",
      "architectures": ["Ernie4_5_VLMoeForConditionalGeneration"]})"), Target::TaskModel);
  ASSERT_TRUE(tied) << tied.error().message;
  EXPECT_EQ(tied->cls, "Ernie4_5_VLMoeForConditionalGeneration");
  EXPECT_EQ(measure(tied->model).parameters, 29'399'294'336ull);
  auto untied = build_transformers(Json::parse(R"({"model_type": "ernie4_5_vl_moe", "tie_word_embeddings": false,
      "architectures": ["Ernie4_5_VLMoeForConditionalGeneration"]})"), Target::TaskModel);
  ASSERT_TRUE(untied) << untied.error().message;
  EXPECT_EQ(measure(untied->model).parameters, 29'399'294'336ull + 2560ull * 103424);

  // Small: text hidden 64 (4 heads of 16, 2 kv), 3 layers [sparse, dense, sparse], 4 experts of widths [8, 4], no
  // shared experts, bias on; vision hidden 32, depth 1, 2 heads, intermediate 16, patch 2.
  auto small = build_transformers(Json::parse(R"({"model_type": "ernie4_5_vl_moe",
    "text_config": {"hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 3,
      "vocab_size": 10, "intermediate_size": 32, "moe_num_experts": 4, "moe_intermediate_size": [8, 4],
      "moe_num_shared_experts": 0, "use_bias": true, "mlp_layer_types": ["sparse", "dense", "sparse"]},
    "vision_config": {"hidden_size": 32, "depth": 1, "num_heads": 2, "intermediate_size": 16, "patch_size": 2}})"));
  ASSERT_TRUE(small) << small.error().message;
  // text: embed 640; attention q, o 64 * 64 + 64, k, v 64 * 32 + 32 -> 12,480; norms 128 per layer;
  //   dense MLP 3 * 64 * 32 + 2 * 32 + 64 = 6272; sparse: text_moe 4 * 64 + 4 + 4 * 16 * 64 + 4 * 64 * 8 = 6404,
  //   vision_moe 256 + 4 + 4 * 8 * 64 + 4 * 64 * 4 = 3332 -> 9736; norm 64.
  //   = 640 + 3 * (12,480 + 128) + 6272 + 2 * 9736 + 64 = 64,272.
  // vision: patch 3 * 2 * 2 * 32 = 384; block 2 * 64 + 32 * 96 + 96 + 32 * 32 + 32 + 32 * 16 + 16 + 16 * 32 + 32
  //   = 5,424; ln 64 -> 5,872.
  // resampler (spatial 128, temporal 256): spatial_linear 128 * 128 + 128 + 128 * 128 + 128 + 256 = 33,280;
  //   temporal_linear 256 * 128 + 128 + 128 * 128 + 128 + 256 = 49,664; mlp 128 * 64 + 64 = 8256; after_norm 64.
  //   = 91,264.
  EXPECT_EQ(measure(small->model).parameters, 64'272u + 5'872 + 91'264);
}

}  // namespace MEMFIT_TU
