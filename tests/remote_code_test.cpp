// Architectures memfit does not implement: remote-code configs mapped to the native family they equal (checked
// against the real checkpoint index's total_size), the generic decoder estimate, and the error when neither applies.
#include <gtest/gtest.h>

#include "memfit.h"
#include "source/catalog.h"
#include "test_util.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {

using namespace memfit;

using testing_util::build_catalog;

// Both checkpoints are bfloat16: total_size = 2 bytes x parameters, exactly.
TEST(RemoteCode, QwenV1IsQwen2ByTheIndex) {
  auto b = build_catalog("Qwen/Qwen-72B");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_FALSE(b->approximate);
  EXPECT_EQ(b->cls, "Qwen2ForCausalLM");
  EXPECT_EQ(2 * measure(b->model).parameters, testing_util::index_total(testing_util::load_index("Qwen/Qwen-72B/model.safetensors.index.json")));
  ASSERT_EQ(b->notes.size(), 1u);
  EXPECT_NE(b->notes[0].find("`qwen` is remote code memfit does not run"), std::string::npos);
}

TEST(RemoteCode, InternLMIsLlamaByTheIndex) {
  auto b = build_catalog("internlm/internlm-20b");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "LlamaForCausalLM");
  EXPECT_EQ(2 * measure(b->model).parameters, testing_util::index_total(testing_util::load_index("internlm/internlm-20b/pytorch_model.bin.index.json")));
}

TEST(GenericDecoder, HandCheckedCountAndAssumptions) {
  Json cfg = Json::parse(R"({"model_type": "mystery", "vocab_size": 1000, "n_embd": 64, "n_layer": 2, "n_head": 4,
                             "num_key_value_heads": 2, "intermediate_size": 128})");
  auto b = build_transformers(cfg);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_TRUE(b->approximate);
  // embed 1000x64 = 64,000; per layer: q 64x64 + k 64x32 + v 64x32 + o 64x64 = 12,288, MLP 3 x 64x128 = 24,576,
  // two norms 128 -> 36,992 x 2 layers = 73,984; final norm 64: 138,048. AutoModel builds no lm_head.
  EXPECT_EQ(measure(b->model).parameters, 138048u);
  EXPECT_EQ(b->cls, "GenericModel");
  EXPECT_NE(b->notes[0].find("no lm_head, as accelerate's AutoModel builds the base model"), std::string::npos);
  EXPECT_GE(b->notes.size(), 5u);  // kv heads/MLP/q-k norm/bias/norm assumptions, one line each
  // The task model adds the untied lm_head, 1000 x 64 = 64,000.
  auto t = build_transformers(cfg, Target::TaskModel);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->cls, "GenericForCausalLM");
  EXPECT_EQ(measure(t->model).parameters, 202048u);
}

TEST(GenericDecoder, PerHeadQkNormsAndBiases) {
  Json cfg = Json::parse(R"({"model_type": "mystery", "vocab_size": 1000, "hidden_size": 64, "num_hidden_layers": 2,
                             "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128,
                             "use_qk_norm": true, "attention_bias": true})");
  auto b = build_transformers(cfg);
  ASSERT_TRUE(b) << b.error().message;
  // 138,048 as above, plus per layer q_norm + k_norm of head_dim 16 (32) and biases q 64 + k 32 + v 32 + o 64 (192).
  EXPECT_EQ(measure(b->model).parameters, 138048u + 2 * (32 + 192));
  bool said = false;
  for (const auto& n : b->notes) said |= n == "per-head q_norm/k_norm (RMSNorm of head_dim 16) from `use_qk_norm`";
  EXPECT_TRUE(said);
}

TEST(GenericDecoder, MultiQueryAndDefaultWidth) {
  Json cfg = Json::parse(R"({"model_type": "mystery", "vocab_size": 10, "hidden_size": 8, "num_layers": 1,
                             "num_heads": 2, "multi_query": true})");
  auto b = build_transformers(cfg);
  ASSERT_TRUE(b) << b.error().message;
  // embed 80; q 64 + k 8x4=32 + v 32 + o 64 = 192; MLP 3 x 8x32 = 768; norms 16; final norm 8 = 1,064.
  EXPECT_EQ(measure(b->model).parameters, 1064u);
}

TEST(GenericDecoder, NamesWhatIsMissing) {
  Json cfg = Json::parse(R"({"model_type": "mystery", "hidden_size": 8})");
  auto b = build_transformers(cfg);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, ErrorKind::Unsupported);
  EXPECT_NE(b.error().message.find("model_type `mystery` is not supported yet"), std::string::npos);
  EXPECT_NE(b.error().message.find("the config lacks: vocab_size, num_hidden_layers, num_attention_heads"),
            std::string::npos)
      << b.error().message;
}

}  // namespace
