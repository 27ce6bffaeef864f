// BLIP (blip.cpp), hand-checked against modeling_blip.py / modeling_blip_text.py: `blip` is withheld from the sweep
// and its towers alone (blip_text_model, blip_vision_model) are not AutoModel classes (their sweep cases are errors).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing_util::module_bytes;

// BlipVisionConfig(): hidden 768, intermediate 3072, 12 layers, image 384, patch 16.
//   embeddings: class_embedding 768, patch_embedding 3*768*16*16 + 768 = 590,592,
//     position_embedding (24*24 + 1) * 768 = 443,136 -> 1,034,496
//   layer: qkv 768*2304 + 2304 = 1,771,776, projection 590,592, layer_norm1 1,536, fc1 2,362,368, fc2 2,360,064,
//     layer_norm2 1,536 -> 7,087,872; 12 layers 85,054,464
//   post_layernorm 1,536 -> 86,090,496
// BlipTextConfig(): vocab 30524, hidden 768, intermediate 3072, 12 layers, 512 positions, is_decoder (so every layer
// cross-attends), encoder_hidden_size = the vision hidden size 768.
//   embeddings: word 30524*768 = 23,442,432, position 512*768 = 393,216, LayerNorm 1,536 -> 23,837,184
//     (+ position_ids int64 [1, 512], 4,096 bytes, non-persistent)
//   attention: query/key/value 3*590,592, output dense 590,592 + LayerNorm 1,536 -> 2,363,904; crossattention the
//     same 2,363,904; intermediate 2,362,368; output 2,360,064 + 1,536 = 2,361,600 -> layer 9,451,776;
//     12 layers 113,421,312
//   pooler 590,592
constexpr uint64_t kVision = 86090496, kTextEmb = 23837184, kTextLayers = 113421312, kPooler = 590592;

TEST(Blip, DefaultConfigBuildsBlipModelByHand) {
  auto built = build_transformers(Json::parse(R"({"model_type": "blip"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "BlipModel");
  Measurement m = measure(built->model);
  // + visual_projection 768*512 = 393,216, text_projection 393,216, logit_scale 1 = 224,726,017
  EXPECT_EQ(m.parameters, kVision + kTextEmb + kTextLayers + kPooler + 2 * 393216 + 1);
  EXPECT_EQ(m.parameters, 224726017u);
  EXPECT_EQ(m.total_bits / 8, 224726017ull * 4 + 4096);
  EXPECT_EQ(module_bytes(built->model, "vision_model"), kVision * 4);
  EXPECT_EQ(module_bytes(built->model, "text_model"), (kTextEmb + kTextLayers + kPooler) * 4 + 4096);
  EXPECT_EQ(module_bytes(built->model, "logit_scale"), 4u);
  // Largest layer: the no-split BlipTextEmbeddings (a vision BlipEncoderLayer is 7,087,872 parameters).
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"text_model.embeddings"});
  EXPECT_EQ(m.largest_bits / 8, kTextEmb * 4 + 4096);
  EXPECT_EQ(built->model.no_split, (std::vector<std::string>{"BlipEncoderLayer", "BlipTextEmbeddings"}));
}

TEST(Blip, CaptioningHeadTiesTheDecoderToTheWordEmbeddings) {
  // Salesforce/blip-image-captioning-base's class on the default config (its config is the defaults).
  auto built = build_transformers(
      Json::parse(R"({"model_type": "blip", "architectures": ["BlipForConditionalGeneration"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "BlipForConditionalGeneration");
  Measurement m = measure(built->model);
  // vision 86,090,496 + text_decoder.bert (no pooler) 137,258,496 + cls.predictions: transform dense 590,592 and
  // LayerNorm 1,536, bias 30,524; decoder weight/bias tied = 223,971,644 (247,414,076 counting the tied decoder
  // weight, 30524*768, again, as a checkpoint that stores it does).
  EXPECT_EQ(m.parameters, kVision + kTextEmb + kTextLayers + 592128 + 30524);
  EXPECT_EQ(m.parameters, 223971644u);
  EXPECT_EQ(module_bytes(built->model, "text_decoder"), (kTextEmb + kTextLayers + 592128 + 30524) * 4 + 4096);
  bool tied = false;
  for_each_tensor(
      *built->model.root,
      [&](const TensorVisit& v) {
        if (v.name == "text_decoder.cls.predictions.decoder.weight")
          tied = v.tensor.tied_to == "text_decoder.bert.embeddings.word_embeddings.weight";
      },
      true);
  EXPECT_TRUE(tied);

  // Untied (both flags off): the decoder gets its own weight and bias.
  auto untied = build_transformers(Json::parse(R"({"model_type": "blip", "tie_word_embeddings": false,
      "text_config": {"tie_word_embeddings": false}, "architectures": ["BlipForConditionalGeneration"]})"),
                                   Target::TaskModel);
  ASSERT_TRUE(untied) << untied.error().message;
  EXPECT_EQ(measure(untied->model).parameters, 223971644u + 30524 * 768 + 30524);
}

TEST(Blip, QuestionAnsweringAndRetrievalHeads) {
  auto vqa = build_transformers(
      Json::parse(R"({"model_type": "blip", "architectures": ["BlipForQuestionAnswering"]})"), Target::TaskModel);
  ASSERT_TRUE(vqa) << vqa.error().message;
  // vision + text_encoder (no pooler) 137,258,496 + text_decoder 137,881,148 = 361,230,140
  EXPECT_EQ(measure(vqa->model).parameters, kVision + 2 * (kTextEmb + kTextLayers) + 592128 + 30524);
  EXPECT_EQ(measure(vqa->model).parameters, 361230140u);

  auto itm = build_transformers(
      Json::parse(R"({"model_type": "blip", "architectures": ["BlipForImageTextRetrieval"]})"), Target::TaskModel);
  ASSERT_TRUE(itm) << itm.error().message;
  // vision + text_encoder + vision_proj 768*256 + 256 = 196,864, text_proj 196,864, itm_head 768*2 + 2 = 1,538
  EXPECT_EQ(measure(itm->model).parameters, kVision + kTextEmb + kTextLayers + 2 * 196864 + 1538);
  EXPECT_EQ(measure(itm->model).parameters, 223744258u);

  auto bad = build_transformers(
      Json::parse(R"({"model_type": "blip", "architectures": ["BlipForCausalLM"]})"), Target::TaskModel);
  EXPECT_FALSE(bad);
}

TEST(Blip, LargeVisionTowerWidensTheCrossAttention) {
  // Salesforce/blip-image-captioning-large: ViT-L vision (hidden 1024, 24 layers, intermediate 4096); BlipConfig
  // copies 1024 into text_config.encoder_hidden_size whatever the file says, so every cross-attention key/value is
  // Linear(1024, 768).
  auto built = build_transformers(Json::parse(R"({"model_type": "blip",
      "architectures": ["BlipForConditionalGeneration"],
      "text_config": {"encoder_hidden_size": 768},
      "vision_config": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
                        "num_attention_heads": 16}})"),
                                  Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  // vision: class 1,024, patches 3*1024*256 + 1024 = 787,456, positions 577*1024 = 590,848;
  //   layer: qkv 1024*3072 + 3072 = 3,148,800, projection 1,049,600, fc1 4,198,400, fc2 4,195,328, 2 LayerNorms
  //   4,096 -> 12,596,224; 24 layers 302,309,376; post_layernorm 2,048 -> 303,690,752
  // text: each of 12 cross-attentions' key/value grows by 2 * 256*768 = 393,216 -> + 4,718,592
  const uint64_t vision = 1024 + 787456 + 590848 + 24ull * 12596224 + 2048;
  EXPECT_EQ(vision, 303690752u);
  EXPECT_EQ(measure(built->model).parameters, vision + kTextEmb + kTextLayers + 4718592 + 592128 + 30524);
  // = 446,290,492; counting the tied decoder weight again (+ 23,442,432) gives 469,732,924, the 470M parameters
  // listed for the checkpoint
  EXPECT_EQ(measure(built->model).parameters, 446290492u);
}

}  // namespace
}  // namespace memfit
