// LFM2-MoE, hand-checked against modeling_lfm2_moe.py (the real sweep cannot build the default config: layer_types
// defaults to None and Lfm2MoeDecoderLayer indexes it).
#include <gtest/gtest.h>

#include <map>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// LiquidAI/LFM2-8B-A1B's sizes: 24 layers, 6 of them attention (the positions do not change the sizes).
Json config() {
  Json j = Json::parse(R"({
    "architectures": ["Lfm2MoeForCausalLM"], "model_type": "lfm2_moe", "vocab_size": 65536, "hidden_size": 2048,
    "intermediate_size": 7168, "moe_intermediate_size": 1792, "num_hidden_layers": 24, "num_attention_heads": 32,
    "num_key_value_heads": 8, "num_experts": 32, "num_experts_per_tok": 4, "num_dense_layers": 2,
    "conv_L_cache": 3, "tie_embedding": true})");
  for (int i = 0; i < 24; ++i)
    j["layer_types"].push_back(i == 2 || i == 6 || i == 10 || i == 14 || i == 18 || i == 21 ? "full_attention"
                                                                                               : "conv");
  return j;
}

TEST(Lfm2Moe, Lfm2_8B_A1BByHand) {
  auto built = build_transformers(config());
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Lfm2MoeModel");
  // Attention: q, out 2048*2048 = 4,194,304 each; k, v 2048*512 = 1,048,576 each; q/k_layernorm 64 each ->
  // 10,485,888 (6 layers: 62,915,328). Short conv: conv 2048*1*3 = 6,144; in_proj 2048*6144 = 12,582,912; out_proj
  // 4,194,304 -> 16,783,360 (18 layers: 302,100,480). Dense feed_forward (layers 0, 1): 3*2048*7168 = 44,040,192;
  // MoE (22 layers): experts 32*3*2048*1792 = 352,321,536 + gate 32*2048 = 65,536 = 352,387,072. Norms 2*2048 per
  // layer (98,304); embed_tokens 65536*2048 = 134,217,728; embedding_norm 2,048 -> 8,339,929,856 (published: 8.3B;
  // lm_head tied). Buffers: expert_bias [32] per MoE layer, pos_emb's inv_freq and original_inv_freq [32].
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 8339929856u);
  EXPECT_EQ(m.total_bits / 8, 8339929856ull * 4 + 22 * 32 * 4 + 2 * 32 * 4);
  std::map<std::string, uint64_t> sizes;
  for (const auto& [name, bits] : module_sizes(built->model)) sizes[name] = bits / 8;
  EXPECT_EQ(sizes["layers.2"], (10485888ull + 352387072 + 4096) * 4 + 32 * 4);
  EXPECT_EQ(sizes["layers.0"], (16783360ull + 44040192 + 4096) * 4);
  EXPECT_EQ(sizes["pos_emb"], 2 * 32 * 4u);
  auto task = build_transformers(config(), Target::TaskModel);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(measure(task->model).parameters, 8339929856u);
  bool w1 = false;
  for (const auto& t : checkpoint_tensors(task->model))
    w1 |= t.name == "model.layers.23.feed_forward.experts.31.w1.weight";
  EXPECT_TRUE(w1);
}

}  // namespace
