// DBRX, hand-checked against modeling_dbrx.py (the real sweep cannot build the default config: DbrxAttention reads
// attn_config.rope_theta, which DbrxAttentionConfig has no default for).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Dbrx, DefaultSizesWithRopeTheta) {
  // DbrxConfig() + attn_config.rope_theta: d_model 2048, 16 heads (head_dim 128), 24 blocks, vocab 32000,
  // kv_n_heads 1, ffn_hidden_size 3584, 4 experts.
  auto built = build_transformers(Json::parse(R"({"model_type": "dbrx", "attn_config": {"rope_theta": 10000}})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "DbrxModel");
  // Per block: norm_1, norm_2 (no bias) 2*2048; Wqkv 2048*(2048 + 2*1*128) = 4,718,592; out_proj 2048*2048 =
  // 4,194,304; router.layer 4*2048 = 8,192; experts.mlp w1, v1, w2 3*(4*3584)*2048 = 88,080,384 -> 97,005,568.
  // 24 blocks: 2,328,133,632; wte 32000*2048 = 65,536,000; norm_f 2,048 -> 2,393,671,680.
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 2393671680u);
  EXPECT_EQ(m.total_bits / 8, 2393671680ull * 4 + 2 * 64 * 4);  // rotary_emb inv_freq, original_inv_freq [64]
  EXPECT_EQ(m.largest_bits / 8, 97005568ull * 4);                // a DbrxBlock
  EXPECT_EQ(m.largest_names.front(), "blocks.0");
  std::map<std::string, uint64_t> sizes;
  for (const auto& [name, bits] : module_sizes(built->model)) sizes[name] = bits / 32;
  EXPECT_EQ(sizes["blocks.0.ffn"], 8192u + 88080384u);
  EXPECT_EQ(sizes["blocks.0.norm_attn_norm"], 4096u + 4718592u + 4194304u);
  EXPECT_EQ(sizes["wte"], 65536000u);
}

TEST(Dbrx, DbrxBaseByHand) {
  // databricks/dbrx-base's architecture keys (config.json).
  auto built = build_transformers(Json::parse(R"({
    "architectures": ["DbrxForCausalLM"], "model_type": "dbrx", "d_model": 6144, "n_heads": 48, "n_layers": 40,
    "max_seq_len": 32768, "vocab_size": 100352, "tie_word_embeddings": false,
    "attn_config": {"clip_qkv": 8, "kv_n_heads": 8, "rope_theta": 500000},
    "ffn_config": {"ffn_hidden_size": 10752, "moe_num_experts": 16, "moe_top_k": 4, "ffn_act_fn": {"name": "silu"}}})"),
                                  Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "DbrxForCausalLM");
  // Per block: norms 2*6144 = 12,288; Wqkv 6144*(6144 + 2*8*128) = 50,331,648; out_proj 6144*6144 = 37,748,736;
  // router 16*6144 = 98,304; experts 3*(16*10752)*6144 = 3,170,893,824 -> 3,259,084,800. 40 blocks:
  // 130,363,392,000; wte and lm_head 100352*6144 = 616,562,688 each; norm_f 6,144 -> 131,596,523,520
  // (published: 132B).
  EXPECT_EQ(measure(built->model).parameters, 131596523520u);
  bool found = false;
  for (const auto& t : checkpoint_tensors(built->model)) found |= t.name == "transformer.blocks.39.ffn.experts.mlp.v1";
  EXPECT_TRUE(found);
}

TEST(Dbrx, TiedEmbeddingsRefused) {
  // DbrxConfig.validate_architecture raises for tie_word_embeddings.
  EXPECT_FALSE(build_transformers(
      Json::parse(R"({"model_type": "dbrx", "tie_word_embeddings": true, "attn_config": {"rope_theta": 1}})")));
}

}  // namespace
