// Hunyuan V1 dense and MoE, hand-checked against modeling_hunyuan_v1_dense.py / modeling_hunyuan_v1_moe.py (the real
// sweep cannot build their default configs: head_dim defaults to None and the attention computes None ** -0.5).
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(HunYuanV1, DenseDefaultsWithHeadDim) {
  // HunYuanDenseV1Config() + head_dim 128: vocab 290943, hidden 4096, intermediate 11008, 32 layers, 32 heads and
  // 32 key/value heads, untied.
  auto built = build_transformers(Json::parse(R"({"model_type": "hunyuan_v1_dense", "head_dim": 128})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "HunYuanDenseV1Model");
  // Per layer: q, k, v, o 4096*4096 = 16,777,216 each -> 67,108,864; query_layernorm, key_layernorm 128 each;
  // MLP 3*4096*11008 = 135,266,304; two norms 8,192 -> 202,383,616. 32 layers: 6,476,275,712; embed_tokens
  // 290943*4096 = 1,191,702,528; norm 4,096 -> 7,667,982,336.
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 7667982336u);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embed_tokens"});
  bool qnorm = false;
  for (const auto& [name, bits] : module_sizes(built->model))
    qnorm |= name == "layers.0.self_attn.query_layernorm" && bits == 128u * 32;
  EXPECT_TRUE(qnorm);
}

TEST(HunYuanV1, MoeDefaultsWithHeadDim) {
  // HunYuanMoEV1Config() + head_dim 128: as the dense one, num_experts 1.
  auto built = build_transformers(Json::parse(R"({"model_type": "hunyuan_v1_moe", "head_dim": 128})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "HunYuanMoEV1Model");
  // Per layer: attention 67,108,864 + 256; gate.wg 1*4096; experts gate_up 1*22016*4096 = 90,177,536 and down
  // 4096*11008 = 45,088,768; shared_mlp 135,266,304; norms 8,192 -> 337,654,016. 32 layers: 10,804,928,512;
  // embed_tokens 1,191,702,528; norm 4,096 -> 11,996,635,136.
  EXPECT_EQ(measure(built->model).parameters, 11996635136u);
}

TEST(HunYuanV1, HunyuanA13BByHand) {
  // tencent/Hunyuan-A13B-Instruct's sizes: the native model gives every expert and the shared MLP
  // intermediate_size (3072).
  auto built = build_transformers(Json::parse(R"({
    "architectures": ["HunYuanMoEV1ForCausalLM"], "model_type": "hunyuan_v1_moe", "vocab_size": 128167,
    "hidden_size": 4096, "intermediate_size": 3072, "num_hidden_layers": 32, "num_attention_heads": 32,
    "num_key_value_heads": 8, "head_dim": 128, "num_experts": 64, "moe_topk": 8, "tie_word_embeddings": true})"),
                                  Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "HunYuanMoEV1ForCausalLM");
  // Per layer: q, o 16,777,216 each; k, v 4,194,304 each; q/k layernorms 256; gate 64*4096 = 262,144; experts
  // gate_up 64*6144*4096 = 1,610,612,736 and down 64*4096*3072 = 805,306,368; shared_mlp 3*4096*3072 = 37,748,736;
  // norms 8,192 -> 2,495,881,472. 32 layers: 79,868,207,104; embed_tokens 128167*4096 = 524,972,032 (lm_head
  // tied); norm 4,096 -> 80,393,183,232 (published: 80B total).
  EXPECT_EQ(measure(built->model).parameters, 80393183232u);
  size_t experts = 0;
  bool wg = false;
  for (const auto& t : checkpoint_tensors(built->model)) {
    experts += t.name.find(".mlp.experts.") != std::string::npos;
    wg |= t.name == "model.layers.0.mlp.gate.wg.weight";
  }
  EXPECT_EQ(experts, 32u * 64 * 3);
  EXPECT_TRUE(wg);
}

}  // namespace
