// musicflamingo (withheld from the default-config sweep): MusicFlamingoConfig's default is AudioFlamingo3Config's
// (the AudioFlamingo3 encoder's defaults, a default Qwen2Config, the same biased linear_1/linear_2 projector), and
// MusicFlamingoModel is AudioFlamingo3Model's tree plus `pos_emb`, which holds buffers only. So its parameters are the
// audioflamingo3 sweep case's, checked byte-exactly by families_sweep_test.cpp, and its buffers that case's plus
// pos_emb's.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(MusicFlamingo, DefaultConfigIsAudioFlamingo3sTreePlusTheTimeRotary) {
  auto built = build_transformers(Json::parse(R"({"model_type": "musicflamingo"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "MusicFlamingoModel");
  Measurement m = measure(built->model);
  // audioflamingo3 sweep case: 12,086,513,664 parameters, 512 B of buffers (Qwen2's two rotary tables [64]),
  // 48,346,055,168 B in all, largest layer language_model.embed_tokens (151936 x 4096 float32).
  EXPECT_EQ(m.parameters, 12'086'513'664ull);
  // pos_emb: head_dim = the audio hidden size 1280, partial_rotary_factor 0.2 -> dim 256: inv_freq and
  // original_inv_freq [128] each; position_angles [int(rope_theta 1200.0), 256].
  const uint64_t pos_emb = (128 + 128 + 1200 * 256) * 4;  // 1,229,824 B
  EXPECT_EQ(m.buffer_bits / 8, 512 + pos_emb);
  EXPECT_EQ(m.total_bits / 8, 48'346'055'168ull + pos_emb);
  EXPECT_EQ(m.largest_bits / 8, 2'489'319'424ull);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"language_model.embed_tokens"});
  const auto& top = built->model.root->children;
  ASSERT_EQ(top.size(), 4u);
  EXPECT_EQ(top[0].first, "audio_tower");
  EXPECT_EQ(top[0].second->cls, "AudioFlamingo3Encoder");
  EXPECT_EQ(top[1].first, "language_model");
  EXPECT_EQ(top[2].first, "multi_modal_projector");
  EXPECT_EQ(top[3].first, "pos_emb");
  // _no_split_modules: none of its own; the encoder's and Qwen2's.
  EXPECT_EQ(built->model.no_split, (std::vector<std::string>{"AudioFlamingo3EncoderLayer", "Qwen2DecoderLayer"}));
}

TEST(MusicFlamingo, HeadIsNeverTiedAndRopeParametersShapeTheTable) {
  // _tied_weights_keys is None: lm_head 4096 x 151936 of its own even with tie_word_embeddings true.
  auto head = build_transformers(Json::parse(R"({"model_type": "musicflamingo", "tie_word_embeddings": true,
      "architectures": ["MusicFlamingoForConditionalGeneration"]})"), Target::TaskModel);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->cls, "MusicFlamingoForConditionalGeneration");
  EXPECT_EQ(measure(head->model).parameters, 12'086'513'664ull + 4096ull * 151936);

  // rope_theta 600, partial_rotary_factor 0.5 over a 1280 audio width: dim 640, tables [320] and [600, 640]; an
  // audio_config named "musicflamingo_encoder" is read as audioflamingo3_encoder.
  auto other = build_transformers(Json::parse(R"({"model_type": "musicflamingo",
      "rope_parameters": {"rope_type": "default", "rope_theta": 600.0, "partial_rotary_factor": 0.5},
      "audio_config": {"model_type": "musicflamingo_encoder"}})"));
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_EQ(measure(other->model).buffer_bits / 8, 512 + (320 + 320 + 600 * 640) * 4);
}

}  // namespace MEMFIT_TU
