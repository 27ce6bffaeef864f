// OpenAI GPT (openai_gpt.cpp), hand-checked against modeling_openai.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(OpenAIGPT, DefaultConfigByHand) {
  // OpenAIGPTConfig(): vocab 40478, n_embd 768, 12 layers, 12 heads, 512 positions.
  // tokens_embed 40478*768 = 31,087,104; positions_embed 512*768 = 393,216
  // Block: attn.c_attn 768*2304+2304 = 1,771,776, attn.c_proj 768*768+768 = 590,592, ln_1 1,536,
  //   mlp.c_fc 768*3072+3072 = 2,362,368, mlp.c_proj 3072*768+768 = 2,360,064, ln_2 1,536 -> 7,087,872; 12: 85,054,464
  // total 116,534,784 (openai-community/openai-gpt: 116.5M)
  // buffers (non-persistent): attn.bias float32 [1, 1, 512, 512] per block 1,048,576 bytes (12: 12,582,912),
  //   position_ids int64 [512] 4,096 bytes
  auto built = build_transformers(Json::parse(R"({"model_type": "openai-gpt"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "OpenAIGPTModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 116534784u);
  EXPECT_EQ(m.total_bits / 8, 116534784ull * 4 + 12582912 + 4096);
  // No _no_split_modules: the largest layer is the largest leaf, tokens_embed.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"tokens_embed"});
  EXPECT_EQ(m.largest_bits / 8, 31087104ull * 4);
  std::vector<std::string> top;
  for (const auto& [name, child] : built->model.root->children) top.push_back(name);
  EXPECT_EQ(top, (std::vector<std::string>{"tokens_embed", "positions_embed", "drop", "h"}));
}

TEST(OpenAIGPT, HeadsTieTheTokenEmbedding) {
  // AutoModelForPreTraining: OpenAIGPTLMHeadModel, lm_head tied to transformer.tokens_embed.weight: same count.
  auto lm = build_transformers(Json::parse(R"({"model_type": "openai-gpt"})"), Target::TaskModel);
  ASSERT_TRUE(lm) << lm.error().message;
  EXPECT_EQ(lm->cls, "OpenAIGPTLMHeadModel");
  EXPECT_EQ(measure(lm->model).parameters, 116534784u);
  // Double heads: + multiple_choice_head.summary Linear(768, num_labels 2) = 1,538.
  auto dh = build_transformers(Json::parse(R"({"model_type": "openai-gpt",
      "architectures": ["OpenAIGPTDoubleHeadsModel"]})"), Target::TaskModel);
  ASSERT_TRUE(dh) << dh.error().message;
  EXPECT_EQ(measure(dh->model).parameters, 116534784u + 1538);
}

}  // namespace
