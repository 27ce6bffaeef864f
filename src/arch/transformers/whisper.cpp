// Whisper: transformers' modeling_whisper.py. An audio encoder (two Conv1d over the log-mel frames, learned
// positions, pre-norm layers) and a text decoder with cross-attention; proj_out is tied to the decoder's tokens.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Shape {
  int64_t d, vocab, mels, enc_layers, dec_layers, enc_ffn, dec_ffn, src_pos, tgt_pos;
  std::string act;
};

Shape read(const Config& c) {
  return {media::dim(c, "d_model", 384),          media::dim(c, "vocab_size", 51865),
          media::dim(c, "num_mel_bins", 80),      media::count(c, "encoder_layers", 4),
          media::count(c, "decoder_layers", 4),   media::dim(c, "encoder_ffn_dim", 1536),
          media::dim(c, "decoder_ffn_dim", 1536), media::dim(c, "max_source_positions", 1500),
          media::dim(c, "max_target_positions", 448), c.s("activation_function", "gelu")};
}

// WhisperAttention: k_proj has no bias.
ModulePtr attention(const Shape& s) { return media::kvq_attention("WhisperAttention", s.d, true, false); }

ModulePtr encoder_layer(const Shape& s) {
  auto l = make("WhisperEncoderLayer");
  l->add("self_attn", attention(s));
  l->add("self_attn_layer_norm", layer_norm(s.d));
  l->add("activation_fn", leaf(act_class(s.act)));
  l->add("fc1", linear(s.d, s.enc_ffn));
  l->add("fc2", linear(s.enc_ffn, s.d));
  l->add("final_layer_norm", layer_norm(s.d));
  return l;
}

ModulePtr decoder_layer(const Shape& s) {
  auto l = make("WhisperDecoderLayer");
  l->add("self_attn", attention(s));
  l->add("activation_fn", leaf(act_class(s.act)));
  l->add("self_attn_layer_norm", layer_norm(s.d));
  l->add("encoder_attn", attention(s));
  l->add("encoder_attn_layer_norm", layer_norm(s.d));
  l->add("fc1", linear(s.d, s.dec_ffn));
  l->add("fc2", linear(s.dec_ffn, s.d));
  l->add("final_layer_norm", layer_norm(s.d));
  return l;
}

ModulePtr encoder(const Shape& s) {
  auto e = make("WhisperEncoder");
  e->add("conv1", media::conv1d(s.mels, s.d, 3));
  e->add("conv2", media::conv1d(s.d, s.d, 3));
  e->add("embed_positions", embedding(s.src_pos, s.d));
  e->add("layers", repeat(encoder_layer(s), s.enc_layers));
  e->add("layer_norm", layer_norm(s.d));
  return e;
}

ModulePtr decoder(const Shape& s) {
  auto d = make("WhisperDecoder");
  d->add("embed_tokens", embedding(s.vocab, s.d));
  d->add("embed_positions", embedding(s.tgt_pos, s.d, "WhisperPositionalEmbedding"));
  d->add("layers", repeat(decoder_layer(s), s.dec_layers));
  d->add("layer_norm", layer_norm(s.d));
  return d;
}

ModulePtr whisper_model(const Shape& s) {
  auto m = make("WhisperModel");
  m->add("encoder", encoder(s));
  m->add("decoder", decoder(s));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Shape s = read(c);
  std::vector<std::string> no_split{"WhisperEncoderLayer", "WhisperDecoderLayer"};
  if (cls == "WhisperModel") return {whisper_model(s), no_split};
  auto root = make(std::string(cls));
  bool tied = heads::ties_embeddings(c, true);
  if (cls == "WhisperForConditionalGeneration") {
    root->add("model", whisper_model(s));
    root->add("proj_out", heads::lm_head(s.d, s.vocab, tied, "model.decoder.embed_tokens.weight"));
  } else if (cls == "WhisperForCausalLM") {
    auto wrapper = make("WhisperDecoderWrapper");
    wrapper->add("decoder", decoder(s));
    root->add("model", wrapper);
    root->add("proj_out", heads::lm_head(s.d, s.vocab, tied, "model.decoder.embed_tokens.weight"));
  } else if (cls == "WhisperForAudioClassification") {
    root->add("encoder", encoder(s));
    if (c.b("use_weighted_layer_sum", false)) root->param("layer_weights", {s.enc_layers + 1});
    int64_t proj = media::dim(c, "classifier_proj_size", 256);
    root->add("projector", linear(s.d, proj));
    root->add("classifier", linear(proj, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"whisper"}, "Whisper", build);

}  // namespace
}  // namespace memfit
