// Phi-3 with LongRoPE (no fixture for the 128k model), checked against the real checkpoint index.
#include <gtest/gtest.h>


#include "arch/registry.h"
#include "test_util.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Phi3, Mini128kLongRopeMatchesTheIndex) {
  // microsoft/Phi-3-mini-128k-instruct's hyper-parameters (its 48-entry long/short factor lists elided: they are
  // float lists in the config, not tensors).
  Json c = Json::parse(R"({"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "hidden_size": 3072,
    "intermediate_size": 8192, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32,
    "vocab_size": 32064, "max_position_embeddings": 131072, "original_max_position_embeddings": 4096,
    "rope_scaling": {"type": "longrope"}, "sliding_window": 262144, "tie_word_embeddings": false})");
  auto b = build_transformers(c, Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "Phi3ForCausalLM");
  // embed and lm_head 2 * 32064*3072 = 197,001,216; layer: qkv_proj 3072*9216 = 28,311,552, o_proj 9,437,184,
  // gate_up_proj 3072*16384 = 50,331,648, down_proj 25,165,824, two norms 6,144 -> 113,252,352, x32 =
  // 3,624,075,264; norm 3,072 -> 3,821,079,552
  Measurement m = measure(b->model);
  EXPECT_EQ(m.parameters, 3'821'079'552u);
  EXPECT_EQ(m.buffer_bits, 2u * 48 * 32);  // inv_freq + original_inv_freq over head_dim 96
  Json idx = testing_util::load_index("microsoft/Phi-3-mini-128k-instruct/model.safetensors.index.json");
  EXPECT_EQ(2 * m.parameters, testing_util::index_total(idx));  // bfloat16
  EXPECT_EQ(testing_util::names_in_index(b->model, idx), idx["weight_map"].size());
}

}  // namespace
