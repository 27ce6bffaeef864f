// BridgeTower (bridgetower.cpp), hand-checked against modeling_bridgetower.py: `bridgetower` is withheld from the
// sweep and its towers alone are no AutoModel classes (their sweep cases are errors).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing_util::module_bytes;

// BridgeTowerConfig(): hidden 768, 6 cross layers, shared cross-modal transforms, link towers not shared ("add").
// vision (768 wide, 12 layers, image 288 / patch 16 = 324 patches + 1): class_embedding 768, bias-free patch conv
//   3*768*256 = 589,824, position_embedding 325*768 = 249,600; ln_pre 1,536; resblock: in_proj 768*2304 + 2304 =
//   1,771,776, out_proj 590,592, ln_1 1,536, c_fc 2,362,368, c_proj 2,360,064, ln_2 1,536 = 7,087,872, x12
//   85,054,464; ln_post 1,536 -> 85,897,728 (+ position_ids int64 [1, 325], 2,600 bytes)
// text (RoBERTa-base shape, vocab 50265, 514 positions, 1 token type): embeddings 38,603,520 + 768 + 1,536 +
//   394,752 = 39,000,576 (+ position_ids and token_type_ids int64 [1, 514], 8,224 bytes); 12 layers of
//   7,087,872; pooler 590,592 -> 124,645,632
// cross layers: self-attention 2,363,904 + cross-attention 2,363,904 + intermediate 2,362,368 + output 2,361,600
//   = 9,451,776; 6 per modality 56,710,656 each
// the rest: two cross-modal transforms 2 x 590,592, token_type_embeddings 1,536, two poolers 2 x 590,592, two
//   LayerNorms 3,072, 2 x 5 link-tower LayerNorms 15,360
constexpr uint64_t kParams = 326347008, kBuffers = 2600 + 8224;

TEST(BridgeTower, DefaultConfigByHand) {
  auto built = build_transformers(Json::parse(R"({"model_type": "bridgetower"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "BridgeTowerModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 85897728u + 124645632 + 2 * 56710656 + 4 * 590592 + 1536 + 3072 + 15360);
  EXPECT_EQ(m.parameters, kParams);
  EXPECT_EQ(m.buffer_bits / 8, kBuffers);
  EXPECT_EQ(module_bytes(built->model, "vision_model"), 85897728u * 4 + 2600);
  EXPECT_EQ(module_bytes(built->model, "text_model"), 124645632u * 4 + 8224);
  EXPECT_EQ(module_bytes(built->model, "cross_modal_image_layers"), 56710656u * 4);
  EXPECT_EQ(module_bytes(built->model, "cross_modal_text_link_tower"), 5u * 1536 * 4);
  // Largest layer: the word embeddings (50265 x 768); a no-split BridgeTowerResidualAttention is 7,087,872.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"text_model.embeddings.word_embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 38603520u * 4);
}

TEST(BridgeTower, RetrievalHeadAndSharedLayers) {
  // itm_score: Linear(1536, 2) = 3,074.
  auto itm = build_transformers(Json::parse(
      R"({"model_type": "bridgetower", "architectures": ["BridgeTowerForImageAndTextRetrieval"]})"),
                                Target::TaskModel);
  ASSERT_TRUE(itm) << itm.error().message;
  EXPECT_EQ(measure(itm->model).parameters, kParams + 3074);
  // Per-layer cross-modal transforms (+ 2 x 5 x 590,592), one shared link tower per modality (- 2 x 4 x 1,536),
  // separate vision LayerNorms (+ 12 x 1,536).
  auto other = build_transformers(Json::parse(R"({"model_type": "bridgetower",
      "share_cross_modal_transformer_layers": false, "share_link_tower_layers": true,
      "vision_config": {"share_layernorm": false}})"));
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_EQ(measure(other->model).parameters, kParams + 2 * 5 * 590592 - 2 * 4 * 1536 + 12 * 1536);
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "bridgetower", "link_tower_type": "concat"})")));
}

TEST(BridgeTower, MaskedLMAndContrastiveHeads) {
  // mlm_score: transform dense 590,592 + LayerNorm 1,536, bias-free decoder 768 x 50265 = 38,603,520 (not tied by
  // default), bias 50,265.
  auto mlm = build_transformers(
      Json::parse(R"({"model_type": "bridgetower", "architectures": ["BridgeTowerForMaskedLM"]})"), Target::TaskModel);
  ASSERT_TRUE(mlm) << mlm.error().message;
  EXPECT_EQ(measure(mlm->model).parameters, kParams + 590592 + 1536 + 38603520 + 50265);
  auto tied = build_transformers(Json::parse(R"({"model_type": "bridgetower", "tie_word_embeddings": true,
      "architectures": ["BridgeTowerForMaskedLM"]})"),
                                 Target::TaskModel);
  ASSERT_TRUE(tied) << tied.error().message;
  EXPECT_EQ(measure(tied->model).parameters, kParams + 590592 + 1536 + 50265);
  // Contrastive heads (contrastive_hidden_size 512, as the ITC checkpoints set it): 2 x (768*512 + 512) +
  // (1536*512 + 512) + logit_scale 1 = 1,574,401; without the key transformers fails.
  auto itc = build_transformers(Json::parse(R"({"model_type": "bridgetower", "contrastive_hidden_size": 512,
      "architectures": ["BridgeTowerForContrastiveLearning"]})"),
                                Target::TaskModel);
  ASSERT_TRUE(itc) << itc.error().message;
  EXPECT_EQ(measure(itc->model).parameters, kParams + 2 * 393728 + 786944 + 1);
  EXPECT_FALSE(build_transformers(
      Json::parse(R"({"model_type": "bridgetower", "architectures": ["BridgeTowerForContrastiveLearning"]})"),
      Target::TaskModel));
}

}  // namespace
}  // namespace memfit
