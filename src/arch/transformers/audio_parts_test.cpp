// The audio model types built without a sweep case of their own, each from its default config
// ({"model_type": ...} filled by memfit as transformers fills it), held to the part of a sweep case that transformers
// builds from the same config class with the same defaults (the numbers the real accelerate computed).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

Measurement built(const char* type, const char* cls) {
  auto b = build_transformers(Json{{"model_type", type}});
  EXPECT_TRUE(b) << (b ? "" : b.error().message);
  if (!b) return {};
  EXPECT_EQ(b->cls, cls);
  EXPECT_FALSE(b->approximate);
  return measure(b->model);
}

TEST(AudioParts, VibeVoiceAcousticTokenizerEncoder) {
  // The sweep's vibevoice_acoustic_tokenizer builds its `encoder` from this config class: 1,374,784,128 bytes, all
  // parameters.
  Measurement m = built("vibevoice_acoustic_tokenizer_encoder", "VibeVoiceAcousticTokenizerEncoderModel");
  EXPECT_EQ(m.total_bits, 1374784128ull * 8);
  EXPECT_EQ(m.parameters, 1374784128ull / 4);
  // _no_split_modules names the model's own class, which accelerate never treats as a layer of itself: the largest
  // layer is the last downsampling conv, 1024 -> 2048 channels, kernel 2 * 8 (as the sweep's decoder model shows for
  // its first transposed conv): (1024 * 2048 * 16 + 2048) * 4 bytes.
  EXPECT_EQ(m.largest_bits, (1024ull * 2048 * 16 + 2048) * 32);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"conv_layers.5.conv.conv"});
}

TEST(AudioParts, FastSpeech2ConformerHifiGan) {
  // AutoModel has no class for this type (a part of fastspeech2_conformer_with_hifigan), so accelerate's target is
  // refused as transformers refuses it; the class itself is built when the config names it.
  auto refused = build_transformers(Json{{"model_type", "fastspeech2_conformer_hifigan"}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::Unsupported);
  EXPECT_NE(refused.error().message.find("has no AutoModel class in transformers"), std::string::npos);
  // fastspeech2_conformer_with_hifigan's `vocoder`: 55,704,708 bytes, of which the mean and scale buffers are
  // 2 * 80 float32.
  auto b = build_transformers(
      Json{{"model_type", "fastspeech2_conformer_hifigan"}, {"architectures", {"FastSpeech2ConformerHifiGan"}}},
      Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "FastSpeech2ConformerHifiGan");
  Measurement m = measure(b->model);
  EXPECT_EQ(m.total_bits, 55704708ull * 8);
  EXPECT_EQ(m.buffer_bits, 160ull * 32);
  EXPECT_EQ(m.parameters, (55704708ull - 640) / 4);
}

TEST(AudioParts, Blip2QFormer) {
  // granite_speech's `projector.qformer` is AutoModel of a default blip_2_qformer config: 420,550,656 bytes.
  Measurement m = built("blip_2_qformer", "Blip2QFormerModel");
  EXPECT_EQ(m.total_bits, 420550656ull * 8);
  EXPECT_EQ(m.buffer_bits, 0u);
}

}  // namespace
