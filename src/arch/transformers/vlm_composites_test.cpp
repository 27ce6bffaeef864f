// Non-default configs of the multimodal / contrastive composites (the sweep pins their default configs): the options
// that change the module tree, with counts derived by hand from the modeling code.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Gemma4Unified, VisionAndAudioEmbeddersWhenConfigured) {
  // The default config (vision_config / audio_config null) builds only the language model: 3,010,758,400
  // parameters (the sweep case). With both configs present (their class defaults) Gemma4UnifiedModel adds:
  //   embed_vision: patch_ln1 2*6912 (6912 = (16*3)^2 * 3) = 13,824; patch_dense 6912*3840+3840 = 26,545,920;
  //     patch_ln2 7,680; pos_embedding [1120, 2, 3840] = 8,601,600; pos_norm 7,680;
  //     multimodal_embedder: projection 3840*2304 (no bias) = 8,847,360, scale-free RMSNorm 0 -> 44,024,064;
  //   embed_audio: projection 640*2304 = 1,474,560.
  auto cfg = Json::parse(R"({"model_type": "gemma4_unified", "vision_config": {}, "audio_config": {}})");
  auto b = build_transformers(cfg);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "Gemma4UnifiedModel");
  EXPECT_EQ(measure(b->model).parameters, 3'010'758'400ull + 44'024'064ull + 1'474'560ull);
  EXPECT_NE(b->model.root->child("embed_vision"), nullptr);
  EXPECT_NE(b->model.root->child("embed_audio"), nullptr);
}

TEST(Tvp, FrameDownPadPrompter) {
  // framedownpad reads config.frame_num, a key TvpConfig does not define: transformers fails without it, so does
  // memfit; with frame_num 8 the prompter is one pad_down [1, 8, 3, 96, 448] = 1,032,192 parameters instead of
  // framepad's four pads (2 * 48*3*96*448 + 2 * 48*3*256*96 = 19,464,192).
  auto without = build_transformers(Json::parse(R"({"model_type": "tvp", "visual_prompter_type": "framedownpad"})"));
  EXPECT_FALSE(without);
  auto pad = build_transformers(Json::parse(R"({"model_type": "tvp"})"));
  auto down = build_transformers(
      Json::parse(R"({"model_type": "tvp", "visual_prompter_type": "framedownpad", "frame_num": 8})"));
  ASSERT_TRUE(pad) << pad.error().message;
  ASSERT_TRUE(down) << down.error().message;
  EXPECT_EQ(measure(pad->model).parameters - measure(down->model).parameters, 19'464'192ull - 1'032'192ull);
}

TEST(Clap, FusionAddsAffBlockAndMelConv) {
  // enable_fusion with fusion_type channel_map: proj takes 4 input channels (96*4*4*4 + 96 instead of 96*16 + 96:
  // +4,608), the AFF block (local and global branches: conv 96->24 + BN 24 + conv 24->96 + BN 96, each
  // 2,328 + 48 + 2,400 + 192 = 4,968, twice = 9,936) and mel_conv2d (1 -> 96, kernel 4 x 12: 96*48 + 96 = 4,704).
  auto plain = build_transformers(Json::parse(R"({"model_type": "clap"})"));
  auto fused = build_transformers(Json::parse(
      R"({"model_type": "clap", "audio_config": {"enable_fusion": true, "fusion_type": "channel_map"}})"));
  ASSERT_TRUE(plain) << plain.error().message;
  ASSERT_TRUE(fused) << fused.error().message;
  EXPECT_EQ(measure(fused->model).parameters - measure(plain->model).parameters, 4'608ull + 9'936ull + 4'704ull);
}

TEST(Kosmos2, ConditionalGenerationTiesLmHead) {
  // Kosmos2ForConditionalGeneration: text_model becomes Kosmos2TextForCausalLM with an lm_head tied to
  // text_model.model.embed_tokens (tie_word_embeddings defaults to true): the same parameter count as Kosmos2Model.
  auto base = build_transformers(Json::parse(R"({"model_type": "kosmos-2"})"));
  auto lm = build_transformers(
      Json::parse(R"({"model_type": "kosmos-2", "architectures": ["Kosmos2ForConditionalGeneration"]})"),
      Target::TaskModel);
  ASSERT_TRUE(base) << base.error().message;
  ASSERT_TRUE(lm) << lm.error().message;
  EXPECT_EQ(lm->cls, "Kosmos2ForConditionalGeneration");
  EXPECT_EQ(measure(lm->model).parameters, measure(base->model).parameters);
  EXPECT_EQ(lm->model.root->child("text_model")->child("lm_head")->params[0].second.tied_to,
            "text_model.model.embed_tokens.weight");
}

TEST(Exaone4_5, VisionTowerPlusExaone4) {
  // {"model_type": "exaone4_5"} (no sweep case): Exaone4_5_Model = Exaone4_5_VisionModel from the vision config's
  // defaults (2,671,868,672 parameters: the exaone4_5_vision sweep case, the same default config) + AutoModel of
  // the default exaone4 config (9,009,639,424: the exaone4 sweep case) = 11,681,508,096. The task model adds an
  // untied lm_head 4096 x 102,400 = 419,430,400. A text_config typed `exaone4_5_text` (the first releases) builds
  // EXAONE 4's tree.
  auto b = build_transformers(Json::parse(R"({"model_type": "exaone4_5"})"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "Exaone4_5_Model");
  EXPECT_EQ(measure(b->model).parameters, 2'671'868'672ull + 9'009'639'424ull);
  ASSERT_EQ(b->model.root->children.size(), 2u);
  EXPECT_EQ(b->model.root->children[0].first, "visual");
  EXPECT_EQ(b->model.root->children[1].second->cls, "Exaone4Model");
  auto lm = build_transformers(
      Json::parse(R"({"model_type": "exaone4_5", "architectures": ["Exaone4_5_ForConditionalGeneration"],
                      "text_config": {"model_type": "exaone4_5_text"}})"),
      Target::TaskModel);
  ASSERT_TRUE(lm) << lm.error().message;
  EXPECT_EQ(measure(lm->model).parameters, 11'681'508'096ull + 419'430'400ull);
}

}  // namespace
