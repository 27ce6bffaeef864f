// HyperCLOVA X (hyperclovax.cpp), hand-checked against modeling_hyperclovax.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(HyperCLOVAX, DefaultConfigByHand) {
  // HyperCLOVAXConfig() (GraniteConfig's defaults): vocab 32000, hidden 4096, 32 layers, 32 heads = 32 kv heads,
  // head_dim 128, intermediate 11008, bias-free, use_post_norm True, tie_word_embeddings False.
  // embed_tokens 32000*4096 = 131,072,000
  // layer: q/k/v/o_proj 4*4096*4096 = 67,108,864; mlp gate/up/down 3*4096*11008 = 135,266,304;
  //   input_layernorm, post_attention_layernorm, post_norm1, post_norm2 4*4096 = 16,384 -> 202,391,552;
  //   32 layers 6,476,529,664
  // norm 4,096 -> total 6,607,605,760; rotary_emb inv_freq + original_inv_freq float32 [64]: 512 bytes
  auto built = build_transformers(Json::parse(R"({"model_type": "hyperclovax"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "HyperCLOVAXModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 6607605760u);
  EXPECT_EQ(m.total_bits / 8, 6607605760ull * 4 + 512);
  // _no_split_modules HyperCLOVAXDecoderLayer: 202,391,552 * 4 bytes each, above embed_tokens' 524,288,000.
  ASSERT_EQ(m.largest_names.size(), 32u);
  EXPECT_EQ(m.largest_names.front(), "layers.0");
  EXPECT_EQ(m.largest_bits / 8, 202391552ull * 4);
  auto layer0 = built->model.root->child("layers")->child("0");
  ASSERT_TRUE(layer0);
  EXPECT_EQ(layer0->children.back().first, "post_norm2");
}

TEST(HyperCLOVAX, WithoutPostNormsAndCausalLM) {
  // use_post_norm False: 32 * 2 * 4096 = 262,144 fewer; the causal LM adds an untied lm_head 131,072,000.
  auto built = build_transformers(Json::parse(R"({"model_type": "hyperclovax", "use_post_norm": false,
      "architectures": ["HyperCLOVAXForCausalLM"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "HyperCLOVAXForCausalLM");
  EXPECT_EQ(measure(built->model).parameters, 6607605760u - 262144 + 131072000);
}

}  // namespace
