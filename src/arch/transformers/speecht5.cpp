// SpeechT5: transformers' modeling_speecht5.py. One encoder-decoder transformer (relative-position encoder, BART-style
// decoder) shared by three tasks through pre-/post-nets: SpeechT5Model wraps both stacks without pre-nets
// (encoder.wrapped_encoder, decoder.wrapped_decoder); ForSpeechToText puts wav2vec2's feature encoder in front
// (encoder.prenet) and a token pre-net / lm_head behind; ForTextToSpeech and ForSpeechToSpeech end in the mel
// post-net (BatchNorm1d conv stack). Sinusoidal tables are non-persistent buffers; scaled encodings own `alpha`.
#include <cmath>

#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/wav2vec2.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Dims {
  int64_t h, vocab, pad, mels, prenet_units;
};

// SpeechT5SinusoidalPositionalEmbedding: non-persistent `weights` [num + 2, dim].
ModulePtr sinusoidal(int64_t num, int64_t dim) {
  auto m = make("SpeechT5SinusoidalPositionalEmbedding");
  m->buffer("weights", {num + 2, dim}, DType::F32, false);
  return m;
}

// SpeechT5ScaledPositionalEncoding: non-persistent `pe` [1, max_len, dim], dropout, a scalar `alpha`.
ModulePtr scaled_encoding(int64_t dim, int64_t max_len) {
  auto m = make("SpeechT5ScaledPositionalEncoding");
  m->param("alpha", {});
  m->buffer("pe", {1, max_len, dim}, DType::F32, false);
  m->add("dropout", leaf("Dropout"));
  return m;
}

ModulePtr attention(int64_t h) { return media::kvq_attention("SpeechT5Attention", h); }

// Every SpeechT5 layer ends in feed_forward (SpeechT5FeedForward of width `ffn_key`) and final_layer_norm.
void add_feed_forward(const Config& c, const w2v::Shape& s, Module& l, const char* ffn_key) {
  w2v::Shape ff = s;
  ff.inter = media::dim(c, ffn_key, 3072);
  l.add("feed_forward", w2v::feed_forward(ff));
  l.add("final_layer_norm", layer_norm(s.h));
}

ModulePtr encoder(const Config& c, const w2v::Shape& s) {
  int64_t heads = media::dim(c, "encoder_attention_heads", 12);
  media::divisible(c, s.h, heads, "hidden_size / encoder_attention_heads");
  auto l = make("SpeechT5EncoderLayer");
  l->add("attention", attention(s.h));
  l->add("dropout", leaf("Dropout"));
  l->add("layer_norm", layer_norm(s.h));
  add_feed_forward(c, s, *l, "encoder_ffn_dim");
  auto e = make("SpeechT5Encoder");
  e->add("layer_norm", layer_norm(s.h));
  e->add("dropout", leaf("Dropout"));
  e->add("layers", repeat(l, media::count(c, "encoder_layers", 12)));
  auto rel = make("SpeechT5RelativePositionalEncoding");
  rel->add("pe_k", embedding(2 * media::dim(c, "encoder_max_relative_position", 160), s.h / heads));
  e->add("embed_positions", rel);
  return e;
}

ModulePtr decoder(const Config& c, const w2v::Shape& s) {
  media::divisible(c, s.h, media::dim(c, "decoder_attention_heads", 12), "hidden_size / decoder_attention_heads");
  auto l = make("SpeechT5DecoderLayer");
  l->add("self_attn", attention(s.h));
  l->add("dropout", leaf("Dropout"));
  l->add("self_attn_layer_norm", layer_norm(s.h));
  l->add("encoder_attn", attention(s.h));
  l->add("encoder_attn_layer_norm", layer_norm(s.h));
  add_feed_forward(c, s, *l, "decoder_ffn_dim");
  auto d = make("SpeechT5Decoder");
  d->add("layers", repeat(l, media::count(c, "decoder_layers", 6)));
  return d;
}

ModulePtr speech_encoder_prenet(const Config& c, const w2v::Shape& s, const Dims& d) {
  auto m = make("SpeechT5SpeechEncoderPrenet");
  m->add("feature_encoder", w2v::feature_encoder(c, s));
  auto proj = make("SpeechT5FeatureProjection");
  proj->add("layer_norm", layer_norm(s.conv_dim.back()));
  proj->add("projection", linear(s.conv_dim.back(), s.h));
  proj->add("dropout", leaf("Dropout"));
  m->add("feature_projection", proj);
  if (c.f("mask_time_prob", 0.05) > 0 || c.f("mask_feature_prob", 0) > 0) m->param("masked_spec_embed", {s.h});
  m->add("pos_conv_embed", w2v::pos_conv_embed(c, s));
  m->add("pos_sinusoidal_embed", sinusoidal(media::dim(c, "max_speech_positions", 4000) + d.pad + 1, s.h));
  return m;
}

ModulePtr text_encoder_prenet(const Config& c, const Dims& d) {
  auto m = make("SpeechT5TextEncoderPrenet");
  m->add("embed_tokens", embedding(d.vocab, d.h));
  m->add("encode_positions", scaled_encoding(d.h, media::dim(c, "max_text_positions", 450)));
  return m;
}

ModulePtr speech_decoder_prenet(const Config& c, const Dims& d) {
  auto m = make("SpeechT5SpeechDecoderPrenet");
  std::vector<ModulePtr> layers;
  int64_t n = media::count(c, "speech_decoder_prenet_layers", 2);
  for (int64_t i = 0; i < n; ++i) layers.push_back(linear(i == 0 ? d.mels : d.prenet_units, d.prenet_units));
  m->add("layers", module_list(std::move(layers)));
  m->add("final_layer", linear(d.prenet_units, d.h));
  m->add("encode_positions", scaled_encoding(d.h, media::dim(c, "max_speech_positions", 4000)));
  m->add("speaker_embeds_layer", linear(media::dim(c, "speaker_embedding_dim", 512) + d.h, d.h));
  return m;
}

ModulePtr text_decoder_prenet(const Config& c, const Dims& d) {
  auto m = make("SpeechT5TextDecoderPrenet");
  m->add("dropout", leaf("Dropout"));
  m->add("embed_tokens", embedding(d.vocab, d.h));
  m->add("embed_positions", sinusoidal(media::dim(c, "max_text_positions", 450) + d.pad + 1, d.h));
  return m;
}

// SpeechT5SpeechDecoderPostnet: feat_out, prob_out, and speech_decoder_postnet_layers BatchNorm conv layers.
ModulePtr speech_decoder_postnet(const Config& c, const Dims& d) {
  int64_t rf = media::dim(c, "reduction_factor", 2), n = media::count(c, "speech_decoder_postnet_layers", 5);
  int64_t units = media::dim(c, "speech_decoder_postnet_units", 256);
  int64_t k = media::dim(c, "speech_decoder_postnet_kernel", 5);
  auto m = make("SpeechT5SpeechDecoderPostnet");
  m->add("feat_out", linear(d.h, d.mels * rf));
  m->add("prob_out", linear(d.h, rf));
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < n; ++i) {
    auto l = make("SpeechT5BatchNormConvLayer");
    l->add("conv", media::conv1d(i == 0 ? d.mels : units, i == n - 1 ? d.mels : units, k, false));
    l->add("batch_norm", batch_norm(i == n - 1 ? d.mels : units, "BatchNorm1d"));
    if (i < n - 1) l->add("activation", leaf("Tanh"));
    l->add("dropout", leaf("Dropout"));
    layers.push_back(l);
  }
  m->add("layers", module_list(std::move(layers)));
  return m;
}

// SpeechT5Model(config, encoder, decoder): `prenet` (when given) before each wrapped stack.
ModulePtr model(const Config& c, const w2v::Shape& s, ModulePtr enc_prenet, std::string enc_cls,
                ModulePtr dec_prenet, std::string dec_cls) {
  auto enc = make("SpeechT5Encoder" + enc_cls);
  if (enc_prenet) enc->add("prenet", enc_prenet);
  enc->add("wrapped_encoder", encoder(c, s));
  auto dec = make("SpeechT5Decoder" + dec_cls);
  if (dec_prenet) dec->add("prenet", dec_prenet);
  dec->add("wrapped_decoder", decoder(c, s));
  auto m = make("SpeechT5Model");
  m->add("encoder", enc);
  m->add("decoder", dec);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  w2v::Shape s{media::dim(c, "hidden_size", 768), 1, 1, 0,
               media::dims(c, "conv_dim", {512, 512, 512, 512, 512, 512, 512}), c.s("hidden_act", "gelu"),
               "SpeechT5"};
  media::require(c, !s.conv_dim.empty(), "conv_dim is empty");
  media::require(c, media::count(c, "num_feat_extract_layers", 7) == static_cast<int64_t>(s.conv_dim.size()),
                 "num_feat_extract_layers must equal len(conv_dim)");
  Dims d{s.h, media::dim(c, "vocab_size", 81), media::count(c, "pad_token_id", 1), media::dim(c, "num_mel_bins", 80),
         media::dim(c, "speech_decoder_prenet_units", 256)};
  if (cls == "SpeechT5Model") return {model(c, s, nullptr, "WithoutPrenet", nullptr, "WithoutPrenet"), {}};
  auto root = make(std::string(cls));
  if (cls == "SpeechT5ForSpeechToText") {
    root->add("speecht5", model(c, s, speech_encoder_prenet(c, s, d), "WithSpeechPrenet", text_decoder_prenet(c, d),
                                "WithTextPrenet"));
    auto post = make("SpeechT5TextDecoderPostnet");
    post->add("lm_head", heads::lm_head(d.h, d.vocab, heads::ties_embeddings(c, true),
                                        "speecht5.decoder.prenet.embed_tokens.weight"));
    root->add("text_decoder_postnet", post);
  } else if (cls == "SpeechT5ForTextToSpeech" || cls == "SpeechT5ForSpeechToSpeech") {
    bool text = cls == "SpeechT5ForTextToSpeech";
    root->add("speecht5", model(c, s, text ? text_encoder_prenet(c, d) : speech_encoder_prenet(c, s, d),
                                text ? "WithTextPrenet" : "WithSpeechPrenet", speech_decoder_prenet(c, d),
                                "WithSpeechPrenet"));
    root->add("speech_decoder_postnet", speech_decoder_postnet(c, d));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"speecht5"}, "SpeechT5", build);

}  // namespace
}  // namespace memfit
