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

TEST(FalconMamba, DefaultConfigByHand) {
  // FalconMambaConfig(): vocab 50280, hidden 768, 32 layers, state 16, expand 2 (intermediate 1536), conv 4,
  // time_step_rank "auto" = ceil(768/16) = 48, tied.
  auto built = build_transformers(Json::parse(R"({"model_type": "falcon_mamba"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "FalconMambaModel");
  // Per block: Mamba's 3,771,648 (see above); 32 blocks 120,692,736; embeddings 38,615,040; norm_f 768 ->
  // 159,308,544. Each mixer's weightless norms hold non-persistent buffers dt [1536], b and c [16]: 6,272 B.
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 159308544u);
  EXPECT_EQ(m.total_bits / 8, 159308544ull * 4 + 32 * 6272);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings"});
  bool dt = false;
  for (const auto& [name, bits] : module_sizes(built->model))
    dt |= name == "layers.31.mixer.dt_layernorm" && bits == 1536u * 32;
  EXPECT_TRUE(dt);
  auto task = build_transformers(Json::parse(R"({"model_type": "falcon_mamba"})"), Target::TaskModel);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(task->cls, "FalconMambaForCausalLM");  // AutoModelForPreTraining's class
  EXPECT_EQ(measure(task->model).parameters, 159308544u);  // lm_head tied to backbone.embeddings
}

TEST(FalconMamba, FalconMamba7BByHand) {
  // tiiuae/falcon-mamba-7b's architecture keys (config.json).
  auto j = Json::parse(R"({"architectures": ["FalconMambaForCausalLM"], "model_type": "falcon_mamba",
      "hidden_size": 4096, "num_hidden_layers": 64, "vocab_size": 65024, "state_size": 16, "expand": 2,
      "conv_kernel": 4, "time_step_rank": 256, "use_bias": false, "use_conv_bias": true,
      "tie_word_embeddings": false})");
  auto built = build_transformers(j, Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  // Per block (intermediate 2*4096 = 8192): conv1d 8192*4 + 8192 = 40,960; in_proj 4096*16384 = 67,108,864;
  // x_proj 8192*(256+32) = 2,359,296; dt_proj 256*8192 + 8192 = 2,105,344; A_log 8192*16 = 131,072; D 8,192;
  // out_proj 8192*4096 = 33,554,432; norm 4,096 -> 105,312,256. 64 blocks: 6,739,984,384; embeddings and lm_head
  // 65024*4096 = 266,338,304 each; norm_f 4,096 -> 7,272,665,088 (published: 7.27B).
  EXPECT_EQ(measure(built->model).parameters, 7272665088u);
  for (const auto& t : checkpoint_tensors(built->model)) EXPECT_EQ(t.name.find("layernorm"), std::string::npos);
}

}  // namespace
