// granite_speech_plus (withheld from the default-config sweep): modular_granite_speech_plus.py derives every class
// from Granite Speech's without changing a module (GraniteSpeechPlusModel(GraniteSpeechModel): ..., the CTC encoder
// only changes forward), and GraniteSpeechPlusConfig's defaults are GraniteSpeechConfig's, so the default model is the
// granite_speech sweep case's tree under the GraniteSpeechPlus prefix. cat_hidden_layers only changes what the
// projector's Q-Former must accept: encoder_hidden_size = hidden_dim * (len + 1), which the config checks.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(GraniteSpeechPlus, DefaultConfigIsGraniteSpeechsTree) {
  auto plus = build_transformers(Json::parse(R"({"model_type": "granite_speech_plus"})"));
  ASSERT_TRUE(plus) << plus.error().message;
  EXPECT_EQ(plus->cls, "GraniteSpeechPlusModel");
  Measurement m = measure(plus->model);
  // The granite_speech sweep case: 6,990,441,514 parameters, 484,432 B of buffers (the int64 attention_dists
  // [200, 200] = 320,000 B, BatchNorm running stats, rotary tables), 27,962,250,488 B, largest layer a Granite
  // decoder layer (809,533,440 B; _no_split_modules is the language model's GraniteDecoderLayer only).
  EXPECT_EQ(m.parameters, 6'990'441'514ull);
  EXPECT_EQ(m.buffer_bits / 8, 484'432u);
  EXPECT_EQ(m.total_bits / 8, 27'962'250'488ull);
  EXPECT_EQ(m.largest_bits / 8, 809'533'440u);
  EXPECT_EQ(m.largest_names.front(), "language_model.layers.0");
  EXPECT_EQ(plus->model.no_split, std::vector<std::string>{"GraniteDecoderLayer"});
  auto encoder = plus->model.root->child("encoder");
  ASSERT_NE(encoder, nullptr);
  EXPECT_EQ(encoder->cls, "GraniteSpeechPlusCTCEncoder");
  EXPECT_EQ(encoder->child("layers")->children.front().second->cls, "GraniteSpeechPlusConformerBlock");
  EXPECT_EQ(plus->model.root->child("projector")->cls, "GraniteSpeechPlusEncoderProjector");
}

TEST(GraniteSpeechPlus, TiedHeadAndCatHiddenLayers) {
  // tie_word_embeddings defaults True and _tied_weights_keys ties lm_head to the text embedding: no new parameters.
  auto head = build_transformers(Json::parse(R"({"model_type": "granite_speech_plus",
      "architectures": ["GraniteSpeechPlusForConditionalGeneration"]})"), Target::TaskModel);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->cls, "GraniteSpeechPlusForConditionalGeneration");
  EXPECT_EQ(measure(head->model).parameters, 6'990'441'514ull);

  // cat_hidden_layers [3] with the projector's encoder_hidden_size 2 * 1024 = 2048 (instead of Blip2QFormerConfig's
  // 1408): the 6 cross-attention layers (every cross_attention_frequency 2 of 12) widen key and value:
  // 6 * 2 * (2048 - 1408) * 768 = 5,898,240 more parameters.
  auto cat = build_transformers(Json::parse(R"({"model_type": "granite_speech_plus",
      "encoder_config": {"cat_hidden_layers": [3]}, "projector_config": {"encoder_hidden_size": 2048}})"));
  ASSERT_TRUE(cat) << cat.error().message;
  EXPECT_EQ(measure(cat->model).parameters, 6'990'441'514ull + 5'898'240);

  // transformers refuses a mismatched width and an index outside [0, num_layers).
  auto mismatch = build_transformers(Json::parse(R"({"model_type": "granite_speech_plus",
      "encoder_config": {"cat_hidden_layers": [3]}})"));
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message.find("encoder_hidden_size"), std::string::npos) << mismatch.error().message;
  auto out_of_range = build_transformers(Json::parse(R"({"model_type": "granite_speech_plus",
      "encoder_config": {"cat_hidden_layers": [10]}, "projector_config": {"encoder_hidden_size": 2048}})"));
  ASSERT_FALSE(out_of_range);
  EXPECT_NE(out_of_range.error().message.find("cat_hidden_layers"), std::string::npos);
}

}  // namespace MEMFIT_TU
