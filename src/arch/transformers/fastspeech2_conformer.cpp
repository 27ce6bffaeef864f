// FastSpeech2-Conformer: transformers' modeling_fastspeech2_conformer.py. A conformer encoder (token embedding,
// relative positional table pos_enc [1, 2*5000-1, hidden], non-persistent) and decoder whose layers hold a relative
// attention (linear_q/k/v/out/pos, pos_bias_u/v), conv feed-forwards (macaron pair) and a BatchNorm conv module;
// duration / pitch / energy predictors (conv + LayerNorm layers), pitch / energy embeddings and a BatchNorm conv
// post-net. FastSpeech2ConformerWithHifiGan adds the HiFi-GAN vocoder (conv_pre, transposed-conv upsamplers, one
// residual block per upsampler and kernel, conv_post, mean/scale buffers).
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/audio_codec.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kFs2 = "FastSpeech2Conformer";

// FastSpeech2ConformerEncoder with the encoder_* or decoder_* keys (`side`); only the encoder embeds tokens.
ModulePtr conformer(const Config& c, const std::string& side, bool embed) {
  int64_t h = media::dim(c, "hidden_size", 384), heads = media::dim(c, side + "_num_attention_heads", 2);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t units = media::dim(c, side + "_linear_units", 1536), pk = media::dim(c, "positionwise_conv_kernel_size", 3);
  int64_t k = media::dim(c, side + "_kernel_size", side == "encoder" ? 7 : 31);
  bool bias = c.b("convolution_bias", true);
  auto attn = make(kFs2 + "Attention");
  for (const char* n : {"linear_q", "linear_k", "linear_v", "linear_out"}) attn->add(n, linear(h, h));
  attn->add("dropout", leaf("Dropout"));
  attn->add("linear_pos", linear(h, h, false));
  attn->param("pos_bias_u", {heads, h / heads}).param("pos_bias_v", {heads, h / heads});
  auto ff = make(kFs2 + "MultiLayeredConv1d");
  ff->add("conv1", media::conv1d(h, units, pk));
  ff->add("conv2", media::conv1d(units, h, pk));
  ff->add("dropout", leaf("Dropout"));
  auto l = make(kFs2 + "EncoderLayer");
  l->add("self_attn", attn);
  l->add("feed_forward", ff);
  if (c.b("use_macaron_style_in_conformer", true)) {
    l->add("feed_forward_macaron", ff);
    l->add("ff_macaron_layer_norm", layer_norm(h));
  }
  if (c.b("use_cnn_in_conformer", true)) {
    auto conv = make(kFs2 + "ConvolutionModule");
    conv->add("activation", leaf("SiLUActivation"));
    conv->add("pointwise_conv1", media::conv1d(h, 2 * h, 1, bias));
    conv->add("depthwise_conv", media::conv1d(h, h, k, bias, h));
    conv->add("norm", batch_norm(h, "BatchNorm1d"));
    conv->add("pointwise_conv2", media::conv1d(h, h, 1, bias));
    l->add("conv_module", conv);
    l->add("conv_layer_norm", layer_norm(h));
    l->add("final_layer_norm", layer_norm(h));
  }
  l->add("ff_layer_norm", layer_norm(h));
  l->add("self_attn_layer_norm", layer_norm(h));
  l->add("dropout", leaf("Dropout"));
  if (c.b(side + "_concat_after", false)) l->add("concat_linear", linear(2 * h, h));
  auto pos = make(kFs2 + "RelPositionalEncoding");
  pos->add("dropout", leaf("Dropout"));
  pos->buffer("pos_enc", {1, 2 * 5000 - 1, h}, DType::F32, false);
  auto e = make(kFs2 + "Encoder");
  if (embed) e->add("embed", embedding(media::dim(c, "vocab_size", 78), h));
  e->add("pos_enc", pos);
  e->add("conformer_layers", repeat(l, media::count(c, side + "_layers", 4)));
  return e;
}

// FastSpeech2ConformerVariancePredictor / DurationPredictor: conv + ReLU + LayerNorm layers, then a Linear to 1.
ModulePtr predictor(const Config& c, const std::string& cls, const std::string& p, int64_t layers_def,
                    int64_t k_def) {
  int64_t h = media::dim(c, "hidden_size", 384), ch = media::dim(c, p + "_channels", 256);
  int64_t k = media::dim(c, p + "_kernel_size", k_def);
  int64_t n = media::count(c, p + "_layers", layers_def);
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < n; ++i) {
    auto l = make(kFs2 + "PredictorLayer");
    l->add("conv", media::conv1d(i == 0 ? h : ch, ch, k));
    l->add("activation", leaf("ReLU"));
    l->add("layer_norm", layer_norm(ch));
    l->add("dropout", leaf("Dropout"));
    layers.push_back(l);
  }
  auto m = make(kFs2 + cls);
  m->add("conv_layers", module_list(std::move(layers)));
  m->add("linear", linear(ch, 1));
  return m;
}

ModulePtr variance_embed(const Config& c, const std::string& p) {
  auto m = make(kFs2 + "VarianceEmbedding");
  m->add("conv", media::conv1d(1, media::dim(c, "hidden_size", 384), media::dim(c, p + "_embed_kernel_size", 1)));
  m->add("dropout", leaf("Dropout"));
  return m;
}

ModulePtr postnet(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 384), mels = media::dim(c, "num_mel_bins", 80);
  int64_t n = media::count(c, "speech_decoder_postnet_layers", 5), units = media::dim(c, "speech_decoder_postnet_units", 256);
  int64_t k = media::dim(c, "speech_decoder_postnet_kernel", 5);
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < n; ++i) {
    int64_t out = i == n - 1 ? mels : units;
    auto l = make(kFs2 + "BatchNormConvLayer");
    l->add("conv", media::conv1d(i == 0 ? mels : units, out, k, false));
    l->add("batch_norm", batch_norm(out, "BatchNorm1d"));
    if (i < n - 1) l->add("activation", leaf("Tanh"));
    l->add("dropout", leaf("Dropout"));
    layers.push_back(l);
  }
  auto m = make(kFs2 + "SpeechDecoderPostnet");
  m->add("feat_out", linear(h, mels * media::dim(c, "reduction_factor", 1)));
  m->add("layers", module_list(std::move(layers)));
  return m;
}

ModulePtr model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 384);
  auto m = make(kFs2 + "Model");
  if (c.has("num_languages") && c.i("num_languages") > 1)
    m->add("language_id_embedding", embedding(media::dim(c, "num_languages", 1), h));
  if (c.has("num_speakers") && c.i("num_speakers") > 1)
    m->add("speaker_id_embedding", embedding(media::dim(c, "num_speakers", 1), h));
  if (c.has("speaker_embed_dim") && c.i("speaker_embed_dim") > 0)
    m->add("projection", linear(h + media::dim(c, "speaker_embed_dim", 1), h));
  m->add("encoder", conformer(c, "encoder", true));
  m->add("duration_predictor", predictor(c, "DurationPredictor", "duration_predictor", 2, 3));
  m->add("pitch_predictor", predictor(c, "VariancePredictor", "pitch_predictor", 5, 5));
  m->add("pitch_embed", variance_embed(c, "pitch"));
  m->add("energy_predictor", predictor(c, "VariancePredictor", "energy_predictor", 2, 3));
  m->add("energy_embed", variance_embed(c, "energy"));
  m->add("decoder", conformer(c, "decoder", false));
  m->add("speech_decoder_postnet", postnet(c));
  m->add("criterion", leaf(kFs2 + "Loss"));
  return m;
}

// FastSpeech2ConformerHifiGan.
ModulePtr hifigan(const Config& c) {
  int64_t in = media::dim(c, "model_in_dim", 80);
  auto g = audio::hifigan(c, in);
  auto m = make(kFs2 + "HifiGan");
  m->buffer("mean", {in}, DType::F32).buffer("scale", {in}, DType::F32);
  m->add("conv_pre", g.conv_pre);
  m->add("upsampler", g.upsampler);
  m->add("resblocks", g.resblocks);
  m->add("conv_post", media::conv1d(g.out_channels, 1, 7));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != kFs2 + "Model") heads::unsupported(cls);
  return {model(c), {}};
}

Model build_with_hifigan(const Config& c, std::string_view cls) {
  if (cls != kFs2 + "WithHifiGan") heads::unsupported(cls);
  auto m = make(kFs2 + "WithHifiGan");
  m->add("model", model(c.sub("model_config")));
  m->add("vocoder", hifigan(c.sub("vocoder_config")));
  return {m, {}};
}

MEMFIT_FAMILY({"fastspeech2_conformer"}, "FastSpeech2Conformer", build);
MEMFIT_FAMILY({"fastspeech2_conformer_with_hifigan"}, "FastSpeech2ConformerWithHifiGan", build_with_hifigan,
              "FastSpeech2ConformerWithHifiGan");
MEMFIT_FAMILY({"fastspeech2_conformer_hifigan"}, "FastSpeech2ConformerHifiGan",
              [](const Config& c, std::string_view cls) -> Model {
                if (cls != kFs2 + "HifiGan") heads::unsupported(cls);
                return {hifigan(c), {}};
              },
              "FastSpeech2ConformerHifiGan");

}  // namespace
}  // namespace memfit
