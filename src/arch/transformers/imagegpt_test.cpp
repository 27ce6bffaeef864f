// ImageGPT (imagegpt.cpp), hand-checked against modeling_imagegpt.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(ImageGPT, DefaultConfigByHand) {
  // ImageGPTConfig(): vocab 513, n_embd 512, 24 layers, 8 heads, 1024 positions, n_inner None -> 2048.
  // wte 513*512 = 262,656; wpe 1024*512 = 524,288
  // block: ln_1 512, attn.c_attn 512*1536+1536 = 787,968, attn.c_proj 512*512+512 = 262,656, ln_2 512,
  //   mlp.c_fc 512*2048+2048 = 1,050,624, mlp.c_proj 2048*512+512 = 1,049,088 -> 3,151,360; 24: 75,632,640
  // ln_f 512 (weight only)
  // total 262,656 + 524,288 + 75,632,640 + 512 = 76,420,096 (openai/imagegpt-small: 76M)
  // buffers: attn.bias bool [1, 1, 1024, 1024] per block, 1 bit each as accelerate counts bool: 131,072 bytes
  auto built = build_transformers(Json::parse(R"({"model_type": "imagegpt"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "ImageGPTModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 76420096u);
  EXPECT_EQ(m.total_bits / 8, 76420096ull * 4 + 24 * 131072);
  // _no_split_modules ImageGPTBlock: each block 3,151,360 * 4 + 131,072 bytes, all 24 tie.
  ASSERT_EQ(m.largest_names.size(), 24u);
  EXPECT_EQ(m.largest_names.front(), "h.0");
  EXPECT_EQ(m.largest_bits / 8, 3151360ull * 4 + 131072);
  EXPECT_EQ(built->model.root->children.back().first, "ln_f");
}

TEST(ImageGPT, CausalImageModelingHead) {
  // lm_head Linear(512, 513 - 1, bias=False) = 262,144, untied (tie_word_embeddings defaults to False).
  auto built = build_transformers(Json::parse(R"({"model_type": "imagegpt",
      "architectures": ["ImageGPTForCausalImageModeling"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 76420096u + 262144);
}

}  // namespace
