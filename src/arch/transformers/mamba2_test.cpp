// Mamba-2, hand-checked against modeling_mamba2.py (no accelerate fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// mistralai/Mamba-Codestral-7B-v0.1's architecture keys (config.json).
const char* kConfig = R"({
  "architectures": ["Mamba2ForCausalLM"], "model_type": "mamba2", "hidden_size": 4096, "num_hidden_layers": 64,
  "num_heads": 128, "head_dim": 64, "state_size": 128, "n_groups": 8, "expand": 2, "conv_kernel": 4,
  "vocab_size": 32768, "use_bias": false, "use_conv_bias": true, "tie_word_embeddings": false
})";

TEST(Mamba2, ParameterCountByHand) {
  auto built = build_transformers(Json::parse(kConfig));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Mamba2Model");
  // Per block (intermediate 8192, conv_dim 8192 + 2*8*128 = 10240, 128 heads): norm 4,096; conv1d 10240*4 + 10240
  // = 51,200; in_proj 4096*(8192+10240+128) = 76,021,760; dt_bias + A_log + D 384; gated norm 8,192; out_proj
  // 8192*4096 = 33,554,432 -> 109,640,064. 64 blocks: 7,016,964,096; embeddings 32768*4096 = 134,217,728;
  // norm_f 4,096 -> 7,151,185,920.
  EXPECT_EQ(measure(built->model).parameters, 7151185920u);
  auto task = build_transformers(Json::parse(kConfig), Target::TaskModel);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(task->cls, "Mamba2ForCausalLM");
  EXPECT_EQ(measure(task->model).parameters, 7151185920u + 134217728u);  // untied lm_head: 7,285,403,648
  bool found = false;
  for (const auto& t : checkpoint_tensors(task->model)) found |= t.name == "backbone.layers.63.mixer.norm.weight";
  EXPECT_TRUE(found);
}

}  // namespace
