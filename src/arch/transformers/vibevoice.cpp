// VibeVoice's acoustic tokenizer (modeling_vibevoice_acoustic_tokenizer.py) and VibeVoice-ASR
// (modeling_vibevoice_asr.py). The tokenizer is a causal conv VAE: an encoder (stem conv + ConvNeXt-1d stage, one
// strided conv + stage per downsampling ratio, head conv) and a mirrored decoder (transposed convs; its config
// reverses `depths`). Each ConvNeXt-1d layer: RMSNorms, a depthwise causal conv mixer, an FFN and two layer scales.
// The ASR model runs an acoustic and a semantic tokenizer encoder, projects both into a Qwen2 language model
// (AutoModel of text_config); ForConditionalGeneration adds lm_head.
#include <algorithm>

#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/audio_codec.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kVv = "VibeVoiceAcousticTokenizer";

ModulePtr causal_conv(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  auto m = make(kVv + "CausalConv1d");
  m->add("conv", media::conv1d(in, out, k, true, groups));
  return m;
}

// The ConvNeXt-1d stage: `n` layers of width d.
ModulePtr stage(const Config& c, int64_t d, int64_t n) {
  int64_t x = media::dim(c, "ffn_expansion", 4);
  auto ffn = make(kVv + "FeedForward");
  ffn->add("linear1", linear(d, x * d));
  ffn->add("activation", leaf(act_class(c.s("hidden_act", "gelu"))));
  ffn->add("linear2", linear(x * d, d));
  auto l = make(kVv + "ConvNext1dLayer");
  l->param("gamma", {d});
  l->param("ffn_gamma", {d});
  l->add("norm", rms_norm(kVv + "RMSNorm", d));
  l->add("ffn_norm", rms_norm(kVv + "RMSNorm", d));
  l->add("ffn", ffn);
  l->add("mixer", causal_conv(d, d, media::dim(c, "kernel_size", 7), d));
  return repeat(l, n);
}

struct Shape {
  int64_t channels, hidden, filters, kernel;
  std::vector<int64_t> ratios, depths;
};

Shape read(const Config& c, bool reverse_depths) {
  Shape s{media::dim(c, "channels", 1), media::dim(c, "hidden_size", 64), media::dim(c, "num_filters", 32),
          media::dim(c, "kernel_size", 7), media::dims(c, "downsampling_ratios", {2, 2, 4, 5, 5, 8}),
          media::dims(c, "depths", {3, 3, 3, 3, 3, 3, 8}, 0)};
  media::require(c, s.ratios.size() <= 20 && s.depths.size() == s.ratios.size() + 1,
                 "depths must hold one entry more than downsampling_ratios (at most 20)");
  if (reverse_depths) std::reverse(s.depths.begin(), s.depths.end());
  return s;
}

ModulePtr encoder(const Config& c) {
  Shape s = read(c, false);
  auto stem = make(kVv + "EncoderStem");
  stem->add("conv", causal_conv(s.channels, s.filters, s.kernel));
  stem->add("stage", stage(c, s.filters, s.depths[0]));
  std::vector<ModulePtr> layers;
  for (size_t i = 0; i < s.ratios.size(); ++i) {
    int64_t in = s.filters << i, out = s.filters << (i + 1);
    auto l = make(kVv + "EncoderLayer");
    l->add("conv", causal_conv(in, out, 2 * s.ratios[i]));
    l->add("stage", stage(c, out, s.depths[i + 1]));
    layers.push_back(l);
  }
  auto m = make(kVv + "EncoderModel");
  m->add("stem", stem);
  m->add("conv_layers", module_list(std::move(layers)));
  m->add("head", causal_conv(s.filters << s.ratios.size(), s.hidden, s.kernel));
  return m;
}

// The decoder model as its own config describes it (the full model's decoder_config reverses depths first).
ModulePtr decoder(const Config& c, bool reverse_depths) {
  Shape s = read(c, reverse_depths);
  size_t n = s.depths.size();
  auto stem = make(kVv + "DecoderStem");
  stem->add("conv", causal_conv(s.hidden, s.filters << (n - 1), s.kernel));
  stem->add("stage", stage(c, s.filters << (n - 1), s.depths[0]));
  std::vector<ModulePtr> layers;
  for (size_t i = 0; i < s.ratios.size(); ++i) {
    int64_t in = s.filters << (n - 1 - i), out = s.filters << (n - 2 - i);
    int64_t r = s.ratios[s.ratios.size() - 1 - i];  // upsampling_ratios = reversed(downsampling_ratios)
    auto tr = make(kVv + "CausalConvTranspose1d");
    tr->add("convtr", audio::conv_transpose1d(in, out, 2 * r));
    auto l = make(kVv + "DecoderLayer");
    l->add("convtr", tr);
    l->add("stage", stage(c, out, s.depths[i + 1]));
    layers.push_back(l);
  }
  auto m = make(kVv + "DecoderModel");
  m->add("stem", stem);
  m->add("conv_layers", module_list(std::move(layers)));
  m->add("head", causal_conv(s.filters, s.channels, s.kernel));
  return m;
}

const std::vector<std::string> kVvNoSplit = {kVv + "EncoderModel", kVv + "DecoderModel"};

Model build_tokenizer(const Config& c, std::string_view cls) {
  if (cls == kVv + "EncoderModel") return {encoder(c), kVvNoSplit};
  if (cls == kVv + "DecoderModel") return {decoder(c, false), kVvNoSplit};
  if (cls != kVv + "Model") heads::unsupported(cls);
  auto m = make(kVv + "Model");
  m->add("encoder", encoder(c));
  m->add("decoder", decoder(c, true));
  return {m, kVvNoSplit};
}

Model build_asr(const Config& c, std::string_view cls) {
  Config ac = c.sub("acoustic_tokenizer_encoder_config"), sc = c.sub("semantic_tokenizer_encoder_config");
  Config tc = c.sub("text_config");
  int64_t th = media::dim(tc, "hidden_size", 4096);
  auto proj = make("VibeVoiceAsrMultiModalProjector");
  proj->add("acoustic_linear_1", linear(media::dim(ac, "hidden_size", 64), th));
  proj->add("acoustic_norm", rms_norm("VibeVoiceAsrRMSNorm", th));
  proj->add("acoustic_linear_2", linear(th, th));
  proj->add("semantic_linear_1", linear(media::dim(sc, "hidden_size", 128), th));
  proj->add("semantic_norm", rms_norm("VibeVoiceAsrRMSNorm", th));
  proj->add("semantic_linear_2", linear(th, th));
  Model lm = auto_model(tc);
  auto m = make("VibeVoiceAsrModel");
  m->add("acoustic_tokenizer_encoder", encoder(ac));
  m->add("semantic_tokenizer_encoder", encoder(sc));
  m->add("multi_modal_projector", proj);
  m->add("language_model", lm.root);
  std::vector<std::string> no_split = lm.no_split;
  no_split.insert(no_split.end(), kVvNoSplit.begin(), kVvNoSplit.end());
  if (cls == "VibeVoiceAsrModel") return {m, no_split};
  if (cls != "VibeVoiceAsrForConditionalGeneration") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("model", m);
  root->add("lm_head", linear(th, media::dim(tc, "vocab_size", 151936), false));
  return {root, no_split};
}

MEMFIT_FAMILY({"vibevoice_acoustic_tokenizer"}, "VibeVoiceAcousticTokenizer", build_tokenizer);
MEMFIT_FAMILY({"vibevoice_acoustic_tokenizer_encoder"}, "VibeVoiceAcousticTokenizerEncoder", build_tokenizer,
              "VibeVoiceAcousticTokenizerEncoderModel");
MEMFIT_FAMILY({"vibevoice_acoustic_tokenizer_decoder"}, "VibeVoiceAcousticTokenizerDecoder", build_tokenizer,
              "VibeVoiceAcousticTokenizerDecoderModel");
MEMFIT_FAMILY({"vibevoice_asr"}, "VibeVoiceAsr", build_asr);

}  // namespace
}  // namespace memfit
