// ModernBERT decoder (modernbert_decoder.cpp), hand-checked against modeling_modernbert_decoder.py (withheld from the
// sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(ModernBertDecoder, DefaultConfigByHand) {
  // ModernBertDecoderConfig(): vocab 50368, hidden 768, intermediate 1152, 22 layers, 12 heads, no biases
  // (attention_bias, mlp_bias, norm_bias all False).
  // embeddings: tok_embeddings 50368*768 = 38,682,624, norm 768
  // layer: attn_norm 768 (layer 0: Identity), q/k/v_proj + Wo 4*768*768 = 2,359,296, mlp_norm 768,
  //   mlp.Wi 768*2304 = 1,769,472, mlp.Wo 1152*768 = 884,736 -> 5,015,040; 22 layers - 768 = 110,330,112
  // final_norm 768 -> total 38,682,624 + 768 + 110,330,112 + 768 = 149,014,272
  // rotary_emb: full_attention and sliding_attention (layers 1, 2 of every 3) inv_freq + original_inv_freq
  //   float32 [32]: 4 * 128 = 512 bytes
  auto built = build_transformers(Json::parse(R"({"model_type": "modernbert-decoder"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "ModernBertDecoderModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 149014272u);
  EXPECT_EQ(m.total_bits / 8, 149014272ull * 4 + 512);
  // The token embeddings (154,730,496 bytes) outweigh a layer (20,060,160).
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings.tok_embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 38682624ull * 4);
  auto layers = built->model.root->child("layers");
  EXPECT_EQ(layers->child("0")->child("attn_norm")->cls, "Identity");
  EXPECT_EQ(layers->child("1")->child("attn_norm")->cls, "LayerNorm");
}

TEST(ModernBertDecoder, CausalLMHead) {
  // lm_head: dense 768*768 = 589,824 (classifier_bias False), norm 768; decoder weight tied, bias 50,368.
  auto built = build_transformers(Json::parse(R"({"model_type": "modernbert-decoder",
      "architectures": ["ModernBertDecoderForCausalLM"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 149014272u + 589824 + 768 + 50368);
  EXPECT_EQ(built->model.root->children.back().first, "decoder");
}

}  // namespace
