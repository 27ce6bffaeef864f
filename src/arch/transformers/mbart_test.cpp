// mBART (no fixture): facebook/mbart-large-cc25's published hyper-parameters, counted by hand from modeling_mbart.py.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

Json mbart_large_cc25() {
  return Json::parse(R"({"model_type": "mbart", "architectures": ["MBartForConditionalGeneration"],
    "vocab_size": 250027, "d_model": 1024, "encoder_layers": 12, "decoder_layers": 12,
    "encoder_attention_heads": 16, "decoder_attention_heads": 16, "encoder_ffn_dim": 4096, "decoder_ffn_dim": 4096,
    "max_position_embeddings": 1024, "activation_function": "gelu", "scale_embedding": true, "pad_token_id": 1})");
}

TEST(MBart, LargeCc25ForConditionalGeneration) {
  auto built = build_transformers(mbart_large_cc25(), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "MBartForConditionalGeneration");
  // shared 250027*1024 = 256,027,648 (encoder/decoder embed_tokens and lm_head tied to it).
  // Per stack: embed_positions (1024+2)*1024 = 1,050,624; layernorm_embedding + layer_norm 2*2048.
  // Encoder layer: 4 projections 4*(1024*1024+1024) = 4,198,400; 2 LayerNorms 4096;
  //   fc1 1024*4096+4096 = 4,198,400; fc2 4096*1024+1024 = 4,195,328 -> 12,596,224.
  // Decoder layer: + encoder_attn 4,198,400 + its LayerNorm 2048 -> 16,796,672.
  // Encoder 1,050,624 + 12*12,596,224 + 4096 = 152,209,408; decoder 1,050,624 + 12*16,796,672 + 4096 = 202,614,784.
  // Total 256,027,648 + 152,209,408 + 202,614,784 = 610,851,840.
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 610851840u);
  // final_logits_bias [1, 250027] is the only buffer.
  EXPECT_EQ(m.buffer_bits, 250027u * 32u);
  std::vector<std::string> names;
  for (const auto& e : state_dict(built->model)) names.push_back(e.name);
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  EXPECT_TRUE(has("model.shared.weight"));
  EXPECT_TRUE(has("model.encoder.embed_positions.weight"));
  EXPECT_TRUE(has("model.encoder.layer_norm.bias"));
  EXPECT_TRUE(has("model.decoder.layernorm_embedding.weight"));
  EXPECT_TRUE(has("model.decoder.layers.11.encoder_attn.q_proj.weight"));
  EXPECT_TRUE(has("final_logits_bias"));
  EXPECT_FALSE(has("lm_head.weight"));  // tied
}

TEST(MBart, BaseModelNoSplit) {
  auto built = build_transformers(mbart_large_cc25(), Target::Accelerate);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "MBartModel");
  EXPECT_EQ(measure(built->model).parameters, 610851840u);
  EXPECT_EQ(built->model.no_split.size(), 3u);
}

}  // namespace
