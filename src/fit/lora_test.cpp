// LoRA placement and counts as PEFT makes them: defaults per model_type (data from PEFT), name matching,
// all-linear without the output embedding, and clear errors for targets that match nothing.
#include "fit/lora.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

Model task_model(const std::string& id) {
  auto b = testing_util::build_catalog(id, Target::TaskModel);
  EXPECT_TRUE(b.has_value()) << id;
  return b ? b->model : Model{};
}

TEST(PeftDefaults, FromPeftsTable) {
  auto llama = peft_default_lora_targets("llama");
  ASSERT_TRUE(llama.has_value());
  EXPECT_EQ(llama->names, (std::vector<std::string>{"q_proj", "v_proj"}));
  EXPECT_EQ(peft_default_lora_targets("gpt2")->names, std::vector<std::string>{"c_attn"});
  EXPECT_EQ(peft_default_lora_targets("phi")->names,
            (std::vector<std::string>{"q_proj", "v_proj", "fc1", "fc2"}));
  EXPECT_EQ(peft_default_lora_targets("gemma4")->regex, R"(.*language_model\..*\.(q_proj|v_proj))");
  EXPECT_FALSE(peft_default_lora_targets("no-such-model").has_value());
  auto types = peft_lora_model_types();
  ASSERT_GE(types.size(), 40u);
  EXPECT_EQ(types.front(), "t5");  // PEFT's order
}

TEST(LoraPlacement, Llama2_7b_r8_qv) {
  // 32 layers x (q_proj 8 * (4096 + 4096) + v_proj 8 * (4096 + 4096)) = 32 * 131,072 = 4,194,304 (PEFT's count).
  auto p = place_lora(task_model("meta-llama/Llama-2-7b-hf"), "llama", {}, 8, 32000);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->params, 4'194'304u);
  EXPECT_EQ(p->modules.size(), 64u);
  EXPECT_EQ(p->modules.front().name, "model.layers.0.self_attn.q_proj");
  EXPECT_EQ(p->modules.back().name, "model.layers.31.self_attn.v_proj");
  EXPECT_EQ(p->targets_used, "q_proj, v_proj (PEFT's default for llama)");
}

TEST(LoraPlacement, Llama32_3b_r32_qv) {
  // 28 layers x (q_proj 32 * (3072 + 3072) + v_proj 32 * (3072 + 1024)) = 28 * 327,680 = 9,175,040, the
  // num_trainable_params of PEFT's method_comparison run lora--llama-3.2-3B-rank32.
  auto p = place_lora(task_model("meta-llama/Llama-3.2-3B-Instruct"), "llama", {"q_proj", "v_proj"}, 32, 128256);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->params, 9'175'040u);
}

TEST(LoraPlacement, Llama32_3b_r10_mlp) {
  // 28 x 10 * ((3072 + 8192) * 2 + (8192 + 3072)) = 28 * 337,920 = 9,461,760 (method_comparison
  // lora--llama-3.2-3B-rank10-target-mlp: num_trainable_params 9,461,760).
  auto p = place_lora(task_model("meta-llama/Llama-3.2-3B-Instruct"), "llama", {"up_proj", "gate_proj", "down_proj"},
                      10, 128256);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->params, 9'461'760u);
}

TEST(LoraPlacement, AllLinearSkipsTheOutputEmbedding) {
  // Llama-2-7b, r = 8, per layer: q, k, v, o 4 * 8 * 8192 + gate, up 2 * 8 * (4096 + 11008) + down 8 * (11008 + 4096)
  // = 262,144 + 362,496 = 624,640; 32 layers = 19,988,480 (lm_head excluded, as PEFT excludes
  // get_output_embeddings()).
  auto p = place_lora(task_model("meta-llama/Llama-2-7b-hf"), "llama", {"all-linear"}, 8, 32000);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->params, 19'988'480u);
  EXPECT_EQ(p->modules.size(), 224u);
  for (const auto& m : p->modules) EXPECT_NE(m.name, "lm_head");
}

TEST(LoraPlacement, Gpt2Conv1D) {
  // gpt2-xl: c_attn is Conv1D(3 * 1600, 1600): r = 8 -> 8 * (1600 + 4800) = 51,200 per layer, 48 layers = 2,457,600.
  auto p = place_lora(task_model("gpt2-xl"), "gpt2", {}, 8, 50257);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->params, 2'457'600u);
  EXPECT_EQ(p->modules.front().cls, "Conv1D");
}

TEST(LoraPlacement, UnknownTargetsAreNamed) {
  auto p = place_lora(task_model("meta-llama/Llama-2-7b-hf"), "llama", {"q_proj", "query_key_value", "wqkv"}, 8,
                      32000);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().kind, ErrorKind::Usage);
  EXPECT_EQ(p.error().message, "LoRA target module(s) not found in the model: query_key_value, wqkv");
}

TEST(LoraPlacement, ContainerTargetIsRefused) {
  auto p = place_lora(task_model("meta-llama/Llama-2-7b-hf"), "llama", {"self_attn"}, 8, 32000);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().kind, ErrorKind::Usage);
  EXPECT_NE(p.error().message.find("model.layers.0.self_attn ("), std::string::npos) << p.error().message;
}

TEST(LoraPlacement, NoDefaultForTheModelType) {
  auto p = place_lora(task_model("meta-llama/Llama-2-7b-hf"), "not-in-peft", {}, 8, 32000);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().kind, ErrorKind::Usage);
  EXPECT_EQ(p.error().message,
            "PEFT has no default LoRA target modules for model_type 'not-in-peft': give --lora-targets (names or "
            "all-linear)");
}

}  // namespace
}  // namespace memfit
