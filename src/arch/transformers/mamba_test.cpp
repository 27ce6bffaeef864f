// Mamba, hand-checked against modeling_mamba.py (no accelerate fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// state-spaces/mamba-130m-hf's architecture keys (config.json).
const char* kConfig = R"({
  "architectures": ["MambaForCausalLM"], "model_type": "mamba", "hidden_size": 768, "num_hidden_layers": 24,
  "vocab_size": 50280, "state_size": 16, "expand": 2, "conv_kernel": 4, "time_step_rank": 48,
  "use_bias": false, "use_conv_bias": true, "hidden_act": "silu", "tie_word_embeddings": true
})";

TEST(Mamba, ParameterCountByHand) {
  auto built = build_transformers(Json::parse(kConfig));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "MambaModel");
  // Per block (intermediate 2*768 = 1536, dt_rank 48): conv1d 1536*4 + 1536 = 7,680; in_proj 768*3072 = 2,359,296;
  // x_proj 1536*(48+32) = 122,880; dt_proj 48*1536 + 1536 = 75,264; A_log 1536*16 = 24,576; D 1,536;
  // out_proj 1536*768 = 1,179,648; norm 768 -> 3,771,648. 24 blocks: 90,519,552; embeddings 50280*768 =
  // 38,615,040; norm_f 768 -> 129,135,360.
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 129135360u);
  EXPECT_EQ(m.largest_names.front(), "embeddings");  // 38.6M parameters, more than one MambaBlock
  auto task = build_transformers(Json::parse(kConfig), Target::TaskModel);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(measure(task->model).parameters, 129135360u);  // lm_head tied to backbone.embeddings
  bool found = false;
  for (const auto& t : checkpoint_tensors(task->model)) found |= t.name == "backbone.layers.23.mixer.A_log";
  EXPECT_TRUE(found);
}

TEST(Mamba, AutoTimeStepRankAndBadInput) {
  auto j = Json::parse(kConfig);
  j["time_step_rank"] = "auto";  // ceil(768 / 16) = 48: same model
  auto built = build_transformers(j);
  ASSERT_TRUE(built);
  EXPECT_EQ(measure(built->model).parameters, 129135360u);
  j["hidden_size"] = -5;
  EXPECT_FALSE(build_transformers(j));
}

}  // namespace
