// StableLM (no fixture): parameter counts derived by hand from modeling_stablelm.py.
#include <gtest/gtest.h>

#include <map>

#include "arch/registry.h"
#include "memfit.h"
#include "source/catalog.h"
#include "test_util.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// stabilityai/stablelm-2-1_6b's published hyper-parameters.
Json stablelm2_1_6b() {
  return Json::parse(R"({"architectures": ["StableLmForCausalLM"], "model_type": "stablelm", "hidden_size": 2048,
    "intermediate_size": 5632, "num_hidden_layers": 24, "num_attention_heads": 32, "num_key_value_heads": 32,
    "vocab_size": 100352, "partial_rotary_factor": 0.25, "rope_theta": 10000, "use_qkv_bias": true,
    "qk_layernorm": false, "use_parallel_residual": false, "tie_word_embeddings": false, "layer_norm_eps": 1e-05,
    "hidden_act": "silu", "max_position_embeddings": 4096})");
}

TEST(StableLm, StableLm2_1_6BParameterCount) {
  auto base = build_transformers(stablelm2_1_6b());
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_EQ(base->cls, "StableLmModel");
  // embed 100352*2048 = 205,520,896
  // layer: q/k/v 3*(2048*2048 + 2048) = 12,589,056; o (no bias) 4,194,304; MLP 3*2048*5632 = 34,603,008;
  //        two LayerNorms 2*(2048+2048) = 8,192 -> 51,394,560; x24 = 1,233,469,440
  // final LayerNorm 4,096 -> 1,438,994,432
  Measurement m = measure(base->model);
  EXPECT_EQ(m.parameters, 1'438'994'432u);
  // rotary over 0.25 * 64 = 16 dims: inv_freq + original_inv_freq of 8 float32 each
  EXPECT_EQ(m.buffer_bits, 2u * 8 * 32);

  auto lm = build_transformers(stablelm2_1_6b(), Target::TaskModel);
  ASSERT_TRUE(lm) << lm.error().message;
  // + lm_head 100352*2048 = 205,520,896 -> 1,644,515,328
  EXPECT_EQ(measure(lm->model).parameters, 1'644'515'328u);
}

TEST(StableLm, ParallelResidualAndPerHeadNorms) {
  // The stablelm-2-12b switches: qk_layernorm and a parallel residual (no post_attention_layernorm).
  Json c = stablelm2_1_6b();
  c["qk_layernorm"] = true;
  c["use_parallel_residual"] = true;
  c["num_key_value_heads"] = 8;
  auto base = build_transformers(c);
  ASSERT_TRUE(base) << base.error().message;
  std::map<std::string, std::vector<int64_t>> s;
  for (const auto& e : state_dict(base->model)) s[e.name] = e.tensor->shape;
  EXPECT_EQ(s.at("layers.0.self_attn.q_layernorm.norms.31.weight"), (std::vector<int64_t>{64}));
  EXPECT_EQ(s.at("layers.0.self_attn.k_layernorm.norms.7.weight"), (std::vector<int64_t>{64}));
  EXPECT_FALSE(s.contains("layers.0.self_attn.k_layernorm.norms.8.weight"));
  EXPECT_FALSE(s.contains("layers.0.self_attn.q_layernorm.norms.0.bias"));
  EXPECT_FALSE(s.contains("layers.0.post_attention_layernorm.weight"));
  // per layer vs 1.6B: k/v shrink to 2*(2048*512 + 512) (-2*(4,194,304+2,048) + 2*(1,048,576+512) = -6,294,528),
  // per-head norms +(32+8)*64 = 2,560, no post_attention_layernorm -4,096 -> -6,296,064 per layer, x24 = -151,105,536
  EXPECT_EQ(measure(base->model).parameters, 1'438'994'432u - 151'105'536u);
}

TEST(StableLm, StableCode3BRemoteCodeMatchesTheIndex) {
  // stabilityai/stable-code-3b ships remote code (model_type stablelm_epoch); built as the native StableLM.
  const CatalogEntry* e = find_in_catalog("stabilityai/stable-code-3b");
  ASSERT_NE(e, nullptr);
  ModelSource src{"stabilityai/stable-code-3b", "catalog", std::string(e->config), "stabilityai/stable-code-3b",
                  std::string(e->library)};
  auto b = build_model(src, {});
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_FALSE(b->approximate);
  EXPECT_EQ(b->cls, "StableLmForCausalLM");
  // embed 50304*2560 = 128,778,240; layer: q/k/v/o 4*2560^2 = 26,214,400, MLP 3*2560*6912 = 53,084,160, two
  // LayerNorms 10,240 -> 79,308,800, x32 = 2,537,881,600; final LayerNorm 5,120; lm_head 128,778,240
  uint64_t params = measure(b->model).parameters;
  EXPECT_EQ(params, 2'795'443'200u);
  Json idx = testing_util::load_index("stabilityai/stable-code-3b/model.safetensors.index.json");
  EXPECT_EQ(2 * params, testing_util::index_total(idx));  // bfloat16
  EXPECT_EQ(testing_util::names_in_index(b->model, idx), idx["weight_map"].size());
}

}  // namespace
