// BLOOM-176B (no fixture), checked against the real checkpoint index of bigscience/bloom.
#include <gtest/gtest.h>


#include "arch/registry.h"
#include "test_util.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Bloom, Bloom176BMatchesTheIndex) {
  // bigscience/bloom's published hyper-parameters (n_embed is the legacy name of hidden_size).
  Json c = Json::parse(R"({"architectures": ["BloomForCausalLM"], "model_type": "bloom", "n_embed": 14336,
    "n_layer": 70, "num_attention_heads": 112, "vocab_size": 250880, "layer_norm_epsilon": 1e-05,
    "apply_residual_connection_post_layernorm": false, "pretraining_tp": 4, "slow_but_exact": false})");
  auto b = build_transformers(c);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "BloomModel");
  // word_embeddings 250880*14336 = 3,596,615,680; word_embeddings_layernorm 28,672
  // layer: two LayerNorms 57,344; query_key_value 14336*43008 + 43008 = 616,605,696; dense 14336^2 + 14336 =
  //        205,535,232; dense_h_to_4h 14336*57344 + 57344 = 822,140,928; dense_4h_to_h 822,083,584 + 14336 =
  //        822,097,920 -> 2,466,437,120; x70 = 172,650,598,400
  // ln_f 28,672 -> 176,247,271,424
  uint64_t params = measure(b->model).parameters;
  EXPECT_EQ(params, 176'247'271'424u);
  Json idx = testing_util::load_index("bigscience/bloom/model.safetensors.index.json");
  EXPECT_EQ(2 * params, testing_util::index_total(idx));  // bfloat16
  EXPECT_EQ(testing_util::names_in_index(b->model, idx), idx["weight_map"].size());
}

}  // namespace
