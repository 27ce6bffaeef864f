// Cohere2 (Command R7B), hand-checked against modeling_cohere2.py (the sweep case is withheld).
#include <gtest/gtest.h>

#include <map>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

std::map<std::string, uint64_t> top_sizes(const Model& m) {
  std::map<std::string, uint64_t> out;
  for (const auto& [name, bits] : module_sizes(m)) out[name] = bits / 8;
  return out;
}

TEST(Cohere2, DefaultConfigByHand) {
  // Cohere2Config(): vocab 256000, hidden 8192, intermediate 22528, 40 layers, 64 heads, key/value heads = heads,
  // head_dim 8192/64 = 128, tie_word_embeddings, no attention bias.
  auto built = build_transformers(Json::parse(R"({"model_type": "cohere2"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Cohere2Model");
  // Per layer: q, k, v, o 8192*8192 = 67,108,864 each -> 268,435,456; gate/up/down 3*8192*22528 = 553,648,128;
  // input_layernorm (weight only) 8,192 -> 822,091,776. 40 layers: 32,883,671,040; embed_tokens 256000*8192 =
  // 2,097,152,000; norm 8,192 -> 34,980,831,232. Buffers: rotary inv_freq and original_inv_freq [64] float32.
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 34980831232u);
  EXPECT_EQ(m.total_bits / 8, 34980831232ull * 4 + 2 * 64 * 4);
  EXPECT_EQ(m.largest_bits / 8, 2097152000ull * 4);  // embed_tokens outweighs a decoder layer (3,288,367,104 B)
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embed_tokens"});
  auto sizes = top_sizes(built->model);
  EXPECT_EQ(sizes["layers.0"], 822091776ull * 4);
  EXPECT_EQ(sizes["layers.0.self_attn"], 268435456ull * 4);
  EXPECT_EQ(sizes["layers.0.input_layernorm"], 8192ull * 4);
  EXPECT_EQ(sizes.count("layers.0.post_attention_layernorm"), 0u);  // one norm per parallel-residual layer
  EXPECT_EQ(sizes["rotary_emb"], 2 * 64 * 4u);
}

TEST(Cohere2, CommandR7BTiedLmHead) {
  // CohereForAI/c4ai-command-r7b-12-2024's architecture keys; a head_dim in the file is overwritten by
  // Cohere2Config (hidden / heads).
  auto j = Json::parse(R"({
    "architectures": ["Cohere2ForCausalLM"], "model_type": "cohere2", "vocab_size": 256000, "hidden_size": 4096,
    "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
    "head_dim": 64, "sliding_window": 4096, "sliding_window_pattern": 4, "rope_theta": 50000,
    "logit_scale": 0.25, "tie_word_embeddings": true, "attention_bias": false})");
  auto built = build_transformers(j, Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Cohere2ForCausalLM");
  // Per layer (head_dim 128): q, o 4096*4096 = 16,777,216 each; k, v 4096*1024 = 4,194,304 each; MLP 3*4096*14336 =
  // 176,160,768; norm 4,096 -> 218,107,904. 32 layers: 6,979,452,928; embed_tokens 256000*4096 = 1,048,576,000
  // (lm_head tied); norm 4,096 -> 8,028,033,024 (published: 8.03B).
  EXPECT_EQ(measure(built->model).parameters, 8028033024u);
  size_t lm_head = 0;
  for (const auto& t : checkpoint_tensors(built->model)) lm_head += t.name == "lm_head.weight";
  EXPECT_EQ(lm_head, 0u);
}

}  // namespace
