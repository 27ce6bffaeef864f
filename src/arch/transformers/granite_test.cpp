// Granite (no fixture): parameter count derived by hand from modeling_granite.py.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Granite, Granite3_2BParameterCount) {
  // ibm-granite/granite-3.0-2b-base's published hyper-parameters.
  Json c = Json::parse(R"({"architectures": ["GraniteForCausalLM"], "model_type": "granite", "hidden_size": 2048,
    "intermediate_size": 8192, "num_hidden_layers": 40, "num_attention_heads": 32, "num_key_value_heads": 8,
    "vocab_size": 49155, "attention_bias": false, "mlp_bias": false, "tie_word_embeddings": true,
    "embedding_multiplier": 12.0, "residual_multiplier": 0.22, "attention_multiplier": 0.015625,
    "logits_scaling": 8.0, "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "max_position_embeddings": 4096})");
  auto base = build_transformers(c);
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_EQ(base->cls, "GraniteModel");
  // embed 49155*2048 = 100,669,440
  // layer (head_dim 64): q 2048*2048 = 4,194,304; k, v 2048*512 = 1,048,576 each; o 4,194,304 -> 10,485,760;
  //        MLP 3*2048*8192 = 50,331,648; two norms 4,096 -> 60,821,504; x40 = 2,432,860,160
  // final norm 2,048 -> 2,533,531,648
  EXPECT_EQ(measure(base->model).parameters, 2'533'531'648u);

  auto lm = build_transformers(c, Target::TaskModel);
  ASSERT_TRUE(lm) << lm.error().message;
  EXPECT_EQ(lm->cls, "GraniteForCausalLM");
  EXPECT_EQ(measure(lm->model).parameters, 2'533'531'648u);  // lm_head tied to embed_tokens
  bool has_k = false, has_head = false;
  for (const auto& e : state_dict(lm->model)) {
    if (e.name == "model.layers.39.self_attn.k_proj.weight") has_k = e.tensor->shape == std::vector<int64_t>{512, 2048};
    if (e.name == "lm_head.weight") has_head = true;
  }
  EXPECT_TRUE(has_k);
  EXPECT_FALSE(has_head);  // tied: not a separate tensor
  EXPECT_EQ(lm->model.no_split, std::vector<std::string>{"GraniteDecoderLayer"});
}

}  // namespace
