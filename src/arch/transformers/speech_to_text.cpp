// Speech2Text: transformers' modeling_speech_to_text.py. An encoder over filter-bank features (Conv1dSubsampler: one
// strided Conv1d per conv_kernel_sizes entry, GLU-halved between them) and a text decoder, both with BART's layers
// and non-persistent sinusoidal position tables (`weights` [max_positions + pad + 1, d], float32); no shared
// embedding: the decoder owns embed_tokens, which the ForConditionalGeneration lm_head ties to.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/seq2seq.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr positions(const Config& c, std::string_view key, int64_t def, int64_t d) {
  auto p = make("Speech2TextSinusoidalPositionalEmbedding");
  int64_t pad = c.i("pad_token_id", 1);
  media::require(c, pad >= 0 && pad < media::kMaxDim, "pad_token_id");
  p->buffer("weights", {media::dim(c, key, def) + pad + 1, d}, DType::F32, false);
  return p;
}

ModulePtr subsampler(const Config& c, int64_t d) {
  auto kernels = media::dims(c, "conv_kernel_sizes", {5, 5});
  int64_t in = media::dim(c, "input_feat_per_channel", 80) * media::dim(c, "input_channels", 1);
  int64_t mid = media::dim(c, "conv_channels", 1024), n = media::count(c, "num_conv_layers", 2);
  auto layers = make("ModuleList");
  for (size_t i = 0; i < kernels.size(); ++i) {
    int64_t out = static_cast<int64_t>(i) < n - 1 ? mid : 2 * d;
    layers->add(std::to_string(i), media::conv1d(i == 0 ? in : mid / 2, out, kernels[i]));
  }
  auto m = make("Conv1dSubsampler");
  m->add("conv_layers", layers);
  return m;
}

ModulePtr model(const Config& c, const seq2seq::Shape& s) {
  auto enc = make("Speech2TextEncoder");
  enc->add("conv", subsampler(c, s.d_model));
  enc->add("embed_positions", positions(c, "max_source_positions", 6000, s.d_model));
  enc->add("layers", repeat(seq2seq::encoder_layer(s), s.enc_layers));
  enc->add("layer_norm", layer_norm(s.d_model));
  auto dec = make("Speech2TextDecoder");
  dec->add("embed_tokens", embedding(s.vocab, s.d_model));
  dec->add("embed_positions", positions(c, "max_target_positions", 1024, s.d_model));
  dec->add("layers", repeat(seq2seq::decoder_layer(s), s.dec_layers));
  dec->add("layer_norm", layer_norm(s.d_model));
  auto m = make("Speech2TextModel");
  m->add("encoder", enc);
  m->add("decoder", dec);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  seq2seq::Shape s = seq2seq::read(c, "Speech2Text", 10000, 256, 12, 2048, "relu");
  std::vector<std::string> no_split{"Speech2TextEncoderLayer"};  // only the encoder declares one
  if (cls == "Speech2TextModel") return {model(c, s), no_split};
  if (cls != "Speech2TextForConditionalGeneration") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("model", model(c, s));
  root->add("lm_head", heads::lm_head(s.d_model, s.vocab, s.tied, "model.decoder.embed_tokens.weight"));
  return {root, no_split};
}

MEMFIT_FAMILY({"speech_to_text"}, "Speech2Text", build);

}  // namespace
}  // namespace memfit
