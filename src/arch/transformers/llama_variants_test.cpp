// Helium and Ministral (llama.cpp), hand-checked against modeling_helium.py and modeling_ministral.py (their sweep
// cases are withheld, and Ministral's default config fails in transformers itself).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Helium, DefaultConfigByHand) {
  // HeliumConfig(): vocab 48000, hidden 2560, intermediate 7040, 24 layers, 20 heads and 20 key/value heads of
  // head_dim 128, no biases, untied.
  auto built = build_transformers(Json::parse(R"({"model_type": "helium"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "HeliumModel");
  // Per layer: q, k, v 2560*(20*128) = 6,553,600 each; o_proj 2560*2560 = 6,553,600; MLP 3*2560*7040 =
  // 54,067,200; two norms 5,120 -> 80,286,720. 24 layers: 1,926,881,280; embed_tokens 48000*2560 = 122,880,000;
  // norm 2,560 -> 2,049,763,840. Buffers: inv_freq, original_inv_freq [64].
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 2049763840u);
  EXPECT_EQ(m.total_bits / 8, 2049763840ull * 4 + 512);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embed_tokens"});  // 491,520,000 B > a layer's 321,146,880 B
  EXPECT_EQ(m.largest_bits / 8, 491520000u);
}

TEST(Helium, OutputProjectionIsHiddenToHidden) {
  // HeliumAttention's o_proj is Linear(hidden, hidden) whatever heads * head_dim is, and never has a bias.
  auto built = build_transformers(Json::parse(R"({"model_type": "helium", "hidden_size": 1024,
      "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 128, "attention_bias": true,
      "num_hidden_layers": 1, "vocab_size": 10, "intermediate_size": 16})"));
  ASSERT_TRUE(built) << built.error().message;
  uint64_t o = 0, q = 0;
  for (const auto& [name, bits] : module_sizes(built->model)) {
    if (name == "layers.0.self_attn.o_proj") o = bits / 32;
    if (name == "layers.0.self_attn.q_proj") q = bits / 32;
  }
  EXPECT_EQ(o, 1024u * 1024);      // no bias
  EXPECT_EQ(q, 1024u * 512 + 512);  // 4 heads * 128, with the attention bias
}

TEST(Ministral, Ministral8BByHand) {
  // mistralai/Ministral-8B-Instruct-2410's sizes (its config.json says model_type "mistral": the same tree).
  auto built = build_transformers(Json::parse(R"({
    "model_type": "ministral", "vocab_size": 131072, "hidden_size": 4096,
    "intermediate_size": 12288, "num_hidden_layers": 36, "num_attention_heads": 32, "num_key_value_heads": 8,
    "head_dim": 128, "sliding_window": 32768, "rope_theta": 100000000.0, "tie_word_embeddings": false})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "MinistralModel");
  // Per layer: q, o 4096*4096 = 16,777,216 each; k, v 4096*1024 = 4,194,304 each; MLP 3*4096*12288 = 150,994,944;
  // norms 8,192 -> 192,946,176. 36 layers: 6,946,062,336; embed_tokens 131072*4096 = 536,870,912; norm 4,096 ->
  // 7,482,937,344; with the untied lm_head 8,019,808,256 (published: 8.02B).
  EXPECT_EQ(measure(built->model).parameters, 7482937344u);
  auto j = Json::parse(R"({"architectures": ["MinistralForCausalLM"], "model_type": "ministral", "head_dim": 128,
      "vocab_size": 131072, "intermediate_size": 12288, "num_hidden_layers": 36})");
  auto task = build_transformers(j, Target::TaskModel);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(measure(task->model).parameters, 8019808256u);
}

}  // namespace
