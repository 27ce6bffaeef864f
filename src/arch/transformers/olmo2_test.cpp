// OLMo 2 and OLMo 3 (no fixture): parameter counts derived by hand from modeling_olmo2.py / modeling_olmo3.py.
#include <gtest/gtest.h>

#include <map>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// allenai/OLMo-2-1124-7B's published hyper-parameters.
Json olmo2_7b() {
  return Json::parse(R"({"architectures": ["Olmo2ForCausalLM"], "model_type": "olmo2", "hidden_size": 4096,
    "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32,
    "vocab_size": 100352, "rms_norm_eps": 1e-06, "rope_theta": 500000, "attention_bias": false,
    "tie_word_embeddings": false, "max_position_embeddings": 4096})");
}

std::map<std::string, std::vector<int64_t>> shapes(const Model& m) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& e : state_dict(m)) out[e.name] = e.tensor->shape;
  return out;
}

TEST(Olmo2, Olmo2_7BParameterCount) {
  auto base = build_transformers(olmo2_7b());
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_EQ(base->cls, "Olmo2Model");
  // embed 100352*4096 = 411,041,792
  // layer: q/k/v/o 4*4096*4096 = 67,108,864; q_norm + k_norm 2*4096 = 8,192; MLP 3*4096*11008 = 135,266,304;
  //        post_attention + post_feedforward norms 8,192 -> 202,391,552; x32 = 6,476,529,664
  // final norm 4,096 -> 6,887,575,552
  Measurement m = measure(base->model);
  EXPECT_EQ(m.parameters, 6'887'575'552u);
  // rotary inv_freq + original_inv_freq: 2 * 64 float32 = 512 bytes
  EXPECT_EQ(m.buffer_bits, 512u * 8);
  EXPECT_EQ(base->model.no_split, std::vector<std::string>{"Olmo2DecoderLayer"});
  auto s = shapes(base->model);
  EXPECT_EQ(s.at("layers.0.self_attn.q_norm.weight"), (std::vector<int64_t>{4096}));
  EXPECT_EQ(s.at("layers.31.post_feedforward_layernorm.weight"), (std::vector<int64_t>{4096}));
  EXPECT_FALSE(s.contains("layers.0.input_layernorm.weight"));

  auto lm = build_transformers(olmo2_7b(), Target::TaskModel);
  ASSERT_TRUE(lm) << lm.error().message;
  EXPECT_EQ(lm->cls, "Olmo2ForCausalLM");
  // + untied lm_head 100352*4096 = 411,041,792 -> 7,298,617,344
  EXPECT_EQ(measure(lm->model).parameters, 7'298'617'344u);
}

TEST(Olmo3, RotaryPerLayerType) {
  // allenai/Olmo-3-7B-shaped: OLMo 2's 7B layout with vocab 100278, 3 sliding + 1 full attention layers repeating.
  Json c = olmo2_7b();
  c["model_type"] = "olmo3";
  c["vocab_size"] = 100278;
  c["sliding_window"] = 4096;
  c["architectures"] = {"Olmo3ForCausalLM"};
  auto base = build_transformers(c);
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_EQ(base->cls, "Olmo3Model");
  // embed 100278*4096 = 410,738,688; layers 6,476,529,664 as OLMo 2; norm 4,096 -> 6,887,272,448
  Measurement m = measure(base->model);
  EXPECT_EQ(m.parameters, 6'887'272'448u);
  // default layer_types hold both kinds: {sliding,full}_attention_{inv_freq,original_inv_freq}, 4 x 64 float32
  EXPECT_EQ(m.buffer_bits, 4u * 64 * 32);
  std::map<std::string, uint64_t> sizes;
  for (const auto& [k, v] : module_sizes(base->model)) sizes[k] = v;
  EXPECT_EQ(sizes.at("rotary_emb.sliding_attention_inv_freq"), 64u * 32);
  EXPECT_EQ(sizes.at("rotary_emb.full_attention_original_inv_freq"), 64u * 32);
}

}  // namespace
