// SmolLM3 (no fixture): parameter count derived by hand from modeling_smollm3.py, and checked against the real
// checkpoint index.
#include <gtest/gtest.h>


#include "arch/registry.h"
#include "test_util.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(SmolLM3, SmolLM3_3BParameterCount) {
  // HuggingFaceTB/SmolLM3-3B's published hyper-parameters (every 4th layer without RoPE changes no tensor).
  Json c = Json::parse(R"({"architectures": ["SmolLM3ForCausalLM"], "model_type": "smollm3", "hidden_size": 2048,
    "intermediate_size": 11008, "num_hidden_layers": 36, "num_attention_heads": 16, "num_key_value_heads": 4,
    "vocab_size": 128256, "no_rope_layer_interval": 4, "rope_theta": 5000000.0, "tie_word_embeddings": true,
    "attention_bias": false, "mlp_bias": false, "rms_norm_eps": 1e-06, "max_position_embeddings": 65536})");
  auto lm = build_transformers(c, Target::TaskModel);
  ASSERT_TRUE(lm) << lm.error().message;
  EXPECT_EQ(lm->cls, "SmolLM3ForCausalLM");
  // embed 128256*2048 = 262,668,288
  // layer (head_dim 128): q 2048*2048 = 4,194,304; k, v 2048*512 = 1,048,576 each; o 4,194,304 -> 10,485,760;
  //        MLP 3*2048*11008 = 67,633,152; two norms 4,096 -> 78,123,008; x36 = 2,812,428,288
  // final norm 2,048; lm_head tied -> 3,075,098,624
  Measurement m = measure(lm->model);
  EXPECT_EQ(m.parameters, 3'075'098'624u);
  EXPECT_EQ(m.buffer_bits, 2u * 64 * 32);  // rotary inv_freq + original_inv_freq, head_dim/2 float32 each
  bool found = false;
  for (const auto& e : state_dict(lm->model))
    if (e.name == "model.layers.35.self_attn.v_proj.weight") found = e.tensor->shape == std::vector<int64_t>{512, 2048};
  EXPECT_TRUE(found);
  // The real bfloat16 checkpoint holds exactly these tensors: 2 bytes x parameters.
  Json idx = testing_util::load_index("HuggingFaceTB/SmolLM3-3B/model.safetensors.index.json");
  EXPECT_EQ(2 * m.parameters, testing_util::index_total(idx));
  EXPECT_EQ(testing_util::names_in_index(lm->model, idx), idx["weight_map"].size());
}

}  // namespace
