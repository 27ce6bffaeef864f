// Shared MoE pieces: the per-expert checkpoint split, build cost independent of the expert count, and bad configs
// for every MoE / hybrid family failing cleanly instead of crashing.
#include <gtest/gtest.h>

#include <chrono>

#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "source/catalog.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

Json catalog_config(std::string_view id) {
  const CatalogEntry* e = find_in_catalog(id);
  EXPECT_NE(e, nullptr) << id;
  return e ? Json::parse(e->config) : Json::object();
}

TEST(Moe, SplitExpertsIntoPerExpertTensors) {
  auto map = moe::split_experts({"w1", "w3", "w2"});
  Tensor gate_up{{8, 2 * 14336, 4096}};
  auto out = map("model.layers.3.mlp.experts.gate_up_proj", gate_up);
  ASSERT_EQ(out.size(), 16u);
  EXPECT_EQ(out[0].name, "model.layers.3.mlp.experts.0.w1.weight");
  EXPECT_EQ(out[1].name, "model.layers.3.mlp.experts.0.w3.weight");
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{14336, 4096}));
  auto down = map("model.layers.3.mlp.experts.down_proj", Tensor{{8, 4096, 14336}});
  ASSERT_EQ(down.size(), 8u);
  EXPECT_EQ(down[7].name, "model.layers.3.mlp.experts.7.w2.weight");
  EXPECT_EQ(down[7].shape, (std::vector<int64_t>{4096, 14336}));
  // Not an experts tensor (or not 3-d): unchanged.
  auto other = map("model.layers.3.mlp.gate.weight", Tensor{{8, 4096}});
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].name, "model.layers.3.mlp.gate.weight");
}

// How fast it builds (tens of microseconds: layers share nodes, experts are fused tensors) is measured in bench/.
TEST(Moe, DeepSeekV3Builds) {
  Json j = catalog_config("deepseek-ai/DeepSeek-V3");  // 61 layers, 256 routed experts
  auto first = build_transformers(j);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(measure(first->model).parameters, 671026404352u);
}

// The text-only model types build the language model of the multimodal checkpoints: same counts as the fixtures'
// `language_model` entries (bytes minus the rotary buffers, over 4).
TEST(Moe, TextOnlyVariants) {
  Json llama4 = catalog_config("meta-llama/Llama-4-Scout-17B-16E")["text_config"];
  auto l4 = build_transformers(llama4);
  ASSERT_TRUE(l4) << l4.error().message;
  EXPECT_EQ(l4->cls, "Llama4TextModel");
  EXPECT_EQ(measure(l4->model).parameters, (426941501952u - 512) / 4);
  llama4["architectures"] = Json::array({"Llama4ForCausalLM"});
  auto l4_lm = build_transformers(llama4, Target::TaskModel);
  ASSERT_TRUE(l4_lm) << l4_lm.error().message;
  EXPECT_EQ(measure(l4_lm->model).parameters, (431079444992u - 512) / 4);

  Json q35 = catalog_config("Qwen/Qwen3.5-35B-A3B")["text_config"];
  auto q = build_transformers(q35);
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->cls, "Qwen3_5MoeTextModel");
  EXPECT_EQ(measure(q->model).parameters, (136608205568u - 256) / 4);
  q35["architectures"] = Json::array({"Qwen3_5MoeForCausalLM"});
  auto q_lm = build_transformers(q35, Target::TaskModel);
  ASSERT_TRUE(q_lm) << q_lm.error().message;
  EXPECT_EQ(measure(q_lm->model).parameters, (136608205568u - 256) / 4 + 248320u * 2048);
}

TEST(Moe, BadConfigsFailCleanly) {
  const char* ids[] = {"mistralai/Mixtral-8x7B-v0.1", "Qwen/Qwen1.5-MoE-A2.7B", "Qwen/Qwen3-30B-A3B",
                       "deepseek-ai/DeepSeek-V2-Lite", "deepseek-ai/DeepSeek-V3", "openai/gpt-oss-20b",
                       "zai-org/GLM-4.5-Air", "baidu/ERNIE-4.5-21B-A3B-PT", "ai21labs/Jamba-v0.1",
                       "LiquidAI/LFM2-1.2B", "Qwen/Qwen3-Next-80B-A3B-Instruct", "Qwen/Qwen3.5-35B-A3B",
                       "meta-llama/Llama-4-Scout-17B-16E"};
  const char* keys[] = {"num_attention_heads", "hidden_size", "num_hidden_layers", "num_key_value_heads",
                        "num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts",
                        "decoder_sparse_step", "moe_layer_interval", "attn_layer_period", "expert_layer_period",
                        "interleave_moe_layer_step", "head_dim", "qk_rope_head_dim", "block_multiple_of"};
  for (const char* id : ids) {
    Json base = catalog_config(id);
    for (const char* key : keys)
      for (int64_t bad : {int64_t{0}, int64_t{-3}, int64_t{1} << 40}) {
        for (const char* sub : {"", "text_config"}) {
          Json j = base;
          Json& target = *sub ? j[sub] : j;
          if (!target.is_object() || !target.contains(key)) continue;
          target[key] = bad;
          for (Target t : {Target::Accelerate, Target::TaskModel}) {
            auto built = build_transformers(j, t);  // must not crash or allocate without bound
            if (built) EXPECT_GT(measure(built->model).total_bits, 0u) << id << " " << key << "=" << bad;
          }
        }
      }
  }
}

}  // namespace
