// SeamlessM4T v2: transformers' modeling_seamless_m4t_v2.py. A shared text embedding, a text encoder/decoder
// (pre-norm, ffn submodule, sinusoidal buffers), a conformer speech encoder with a strided adapter, a text-to-unit
// model (its config is the main one with every t2u_* key applied) and a HiFi-GAN unit vocoder. SeamlessM4T v1
// (modeling_seamless_m4t.py) is built by the same code with the differences listed at `Seamless`.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/transformers/conformer.h"
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// nn.Conv1d: weight [out, in/groups, k], bias [out].
ModulePtr conv1d(int64_t in, int64_t out, int64_t k, bool bias = true, int64_t groups = 1) {
  if (groups <= 0 || in % groups) throw ConfigError("conv groups must divide the channels");
  auto m = make("Conv1d");
  m->param("weight", {out, in / groups, k});
  if (bias) m->param("bias", {out});
  return m;
}

struct TextShape {  // the text encoder/decoder part of a (possibly t2u-overridden) config
  int64_t vocab, d, enc_layers, dec_layers, enc_ffn, dec_ffn, max_pos;
  std::string act;
};

// One builder per version: v1 (modeling_seamless_m4t.py) differs from v2 in its class prefix, the conformer's
// positions (a relative `pe` table with linear_pos / pos_bias_u / pos_bias_v, or rotary, instead of relative-key
// distance embeddings), the conformer convolution's BatchNorm1d (v2: a LayerNorm), and an autoregressive
// text-to-unit decoder (v2: a non-autoregressive decoder over character embeddings).
struct Seamless {
  std::string P;  // "SeamlessM4T", "SeamlessM4Tv2"
  bool v2;

  ModulePtr positions(const TextShape& s) {
    auto m = make(P + "SinusoidalPositionalEmbedding");
    m->buffer("weights", {s.max_pos + 2, s.d}, DType::F32, false);
    return m;
  }

  ModulePtr ffn(const TextShape& s, int64_t dim) {
    auto m = make(P + "FeedForwardNetwork");
    m->add("fc1", linear(s.d, dim));
    m->add("fc2", linear(dim, s.d));
    m->add("dropout", leaf("Dropout"));
    m->add("act", leaf(act_class(s.act)));
    return m;
  }

  // SeamlessM4Tv2Encoder; the t2u encoder has no token or position embeddings.
  ModulePtr text_encoder(const TextShape& s, const std::string& shared_name, bool t2u) {
    auto m = make(P + "Encoder");
    if (!t2u) {
      auto tok = make(P + "ScaledWordEmbedding");
      if (shared_name.empty()) tok->param("weight", {s.vocab, s.d});
      else tok->tie("weight", {s.vocab, s.d}, shared_name);
      m->add("embed_tokens", tok);
      m->add("embed_positions", positions(s));
    }
    auto l = make(P + "EncoderLayer");
    l->add("self_attn", seq2seq::attention(P + "Attention", s.d));
    l->add("attn_dropout", leaf("Dropout"));
    l->add("self_attn_layer_norm", layer_norm(s.d));
    l->add("ffn", ffn(s, s.enc_ffn));
    l->add("ffn_layer_norm", layer_norm(s.d));
    l->add("ffn_dropout", leaf("Dropout"));
    m->add("layers", repeat(l, s.enc_layers));
    m->add("layer_norm", layer_norm(s.d));
    return m;
  }

  ModulePtr text_decoder(const TextShape& s, const std::string& shared_name) {
    auto m = make(P + "Decoder");
    auto tok = make(P + "ScaledWordEmbedding");
    if (shared_name.empty()) tok->param("weight", {s.vocab, s.d});
    else tok->tie("weight", {s.vocab, s.d}, shared_name);
    m->add("embed_tokens", tok);
    m->add("embed_positions", positions(s));
    auto l = make(P + "DecoderLayer");
    l->add("self_attn", seq2seq::attention(P + "Attention", s.d));
    l->add("activation_fn", leaf(act_class(s.act)));
    l->add("attn_dropout", leaf("Dropout"));
    l->add("self_attn_layer_norm", layer_norm(s.d));
    l->add("cross_attention", seq2seq::attention(P + "Attention", s.d));
    l->add("cross_attention_layer_norm", layer_norm(s.d));
    l->add("ffn", ffn(s, s.dec_ffn));
    l->add("ffn_layer_norm", layer_norm(s.d));
    l->add("ffn_dropout", leaf("Dropout"));
    m->add("layers", repeat(l, s.dec_layers));
    m->add("layer_norm", layer_norm(s.d));
    return m;
  }

  // SeamlessM4Tv2VariancePredictor(embed_dim, hidden_dim, kernel_size).
  ModulePtr variance_predictor(int64_t embed, int64_t hidden, int64_t k) {
    auto m = make(P + "VariancePredictor");
    m->add("conv1", conv1d(embed, hidden, k));
    m->add("activation_function", leaf("ReLU"));
    m->add("ln1", layer_norm(hidden));
    m->add("dropout_module", leaf("Dropout"));
    m->add("conv2", conv1d(hidden, hidden, k));
    m->add("ln2", layer_norm(hidden));
    m->add("proj", linear(hidden, 1));
    return m;
  }

  // ---- speech encoder (conformer.h's w2v-BERT conformer) ----
  conformer::Spec conformer_spec(const Config& c, int64_t d) {
    int64_t heads = c.i("speech_encoder_attention_heads", 16);
    if (heads <= 0 || d % heads) throw ConfigError("speech_encoder_attention_heads must divide hidden_size");
    std::string type = c.s("position_embeddings_type", v2 ? "relative_key" : "relative");
    // v2 keeps only relative_key distance embeddings, v1 only relative (linear_pos / pos_bias_u / pos_bias_v).
    if (v2 != (type == "relative_key")) type = "";
    return {P + "Conformer", d, heads, c.i("speech_encoder_intermediate_size", 4096),
            c.i("conv_depthwise_kernel_size", 31), c.s("speech_encoder_hidden_act", "swish"), type,
            c.i("left_max_position_embeddings", 64) + c.i("right_max_position_embeddings", 8) + 1, v2};
  }

  ModulePtr speech_encoder(const Config& c, int64_t d) {
    int64_t in_dim = c.i("feature_projection_input_dim", 160);
    auto fp = make(P + "ConformerFeatureProjection");
    fp->add("layer_norm", layer_norm(in_dim));
    fp->add("projection", linear(in_dim, d));
    fp->add("dropout", leaf("Dropout"));

    conformer::Spec cs = conformer_spec(c, d);
    auto enc = make(P + "ConformerEncoder");
    if (std::string type = c.s("position_embeddings_type", "relative"); !v2 && type == "relative") {
      auto pe = enc->add("embed_positions", make(P + "ConformerRelPositionalEmbedding"));
      pe->buffer("pe", {1, 2 * c.i("max_source_positions", 4096) - 1, d}, DType::F32, false);
    } else if (!v2 && type == "rotary") {
      int64_t heads = c.i("speech_encoder_attention_heads", 16);
      auto pe = enc->add("embed_positions", make(P + "ConformerRotaryPositionalEmbedding"));
      pe->buffer("inv_freq", {(d / heads + 1) / 2}, DType::F32);
    }
    enc->add("dropout", leaf("Dropout"));
    enc->add("layers", repeat(conformer::encoder_layer(cs), seq2seq::count(c, "speech_encoder_layers", 24)));
    enc->add("layer_norm", layer_norm(d));

    auto m = make(P + "SpeechEncoder");
    m->add("feature_projection", fp);
    m->add("encoder", enc);
    m->add("intermediate_ffn", conformer::feed_forward(cs, d, "relu"));
    if (c.b("add_adapter", true)) {
      auto a = conformer::adapter_layer(cs, d, c.i("adaptor_kernel_size", 8), "relu");
      auto adapter = make(P + "ConformerAdapter");
      adapter->add("layers", repeat(a, seq2seq::count(c, "num_adapter_layers", 1)));
      m->add("adapter", adapter);
    }
    m->add("inner_layer_norm", layer_norm(d));
    return m;
  }

  // ---- text-to-unit model ----
  ModulePtr t2u_model(const Config& c, const TextShape& t) {
    auto model = make(P + "TextToUnitModel");
    model->add("encoder", text_encoder(t, "", true));
    model->add("decoder", v2 ? t2u_decoder(c, t) : text_decoder(t, ""));
    auto m = make(P + "TextToUnitForConditionalGeneration");
    m->add("model", model);
    m->add("lm_head", heads::lm_head(t.d, t.vocab, heads::ties_embeddings(c, true),
                                     "t2u_model.model.decoder.embed_tokens.weight"));
    return m;
  }

  // v2's non-autoregressive SeamlessM4Tv2TextToUnitDecoder.
  ModulePtr t2u_decoder(const Config& c, const TextShape& t) {
    auto dec = make(P + "TextToUnitDecoder");
    dec->param("pos_emb_alpha_char", {1});
    dec->param("pos_emb_alpha", {1});
    dec->add("embed_tokens", embedding(t.vocab, t.d));
    dec->add("embed_char", embedding(c.i("char_vocab_size", 10943), t.d));
    dec->add("embed_char_positions", positions(t));
    dec->add("duration_predictor",
             variance_predictor(c.i("t2u_variance_predictor_embed_dim", 1024), c.i("t2u_variance_predictor_hidden_dim", 256),
                                c.i("t2u_variance_predictor_kernel_size", 3)));
    dec->add("embed_positions", positions(t));
    auto l = make(P + "TextToUnitDecoderLayer");
    l->add("self_attn", seq2seq::attention(P + "Attention", t.d));
    l->add("self_attn_layer_norm", layer_norm(t.d));
    l->add("conv1", conv1d(t.d, t.d, 7));
    l->add("activation_fn", leaf(act_class(t.act)));
    l->add("conv2", conv1d(t.d, t.d, 7));
    l->add("conv_layer_norm", layer_norm(t.d));
    l->add("conv_dropout", leaf("Dropout"));
    dec->add("layers", repeat(l, t.dec_layers));
    dec->add("layer_norm", layer_norm(t.d));
    return dec;
  }

  // ---- vocoder ----
  ModulePtr vocoder(const Config& c) {
    int64_t unit = c.i("unit_embed_dim", 1280), lang = c.i("lang_embed_dim", 256), spkr = c.i("spkr_embed_dim", 256);
    auto hifi = make(P + "HifiGan");
    int64_t ch0 = c.i("upsample_initial_channel", 512);
    hifi->add("conv_pre", conv1d(unit + lang + spkr, ch0, 7));
    std::vector<int64_t> rates = c.has("upsample_rates") ? c.ints("upsample_rates") : std::vector<int64_t>{5, 4, 4, 2, 2};
    std::vector<int64_t> ups_k =
        c.has("upsample_kernel_sizes") ? c.ints("upsample_kernel_sizes") : std::vector<int64_t>{11, 8, 8, 4, 4};
    std::vector<int64_t> res_k =
        c.has("resblock_kernel_sizes") ? c.ints("resblock_kernel_sizes") : std::vector<int64_t>{3, 7, 11};
    std::vector<size_t> dil_n(res_k.size(), 3);
    if (c.has("resblock_dilation_sizes")) {
      const Json& d = c.raw()["resblock_dilation_sizes"];
      if (!d.is_array()) throw ConfigError("resblock_dilation_sizes must be a list");
      dil_n.clear();
      for (const auto& x : d) dil_n.push_back(x.is_array() ? x.size() : 0);
    }
    size_t n_up = std::min(rates.size(), ups_k.size()), n_res = std::min(res_k.size(), dil_n.size());
    if (n_up > 30) throw ConfigError("too many upsample layers");
    std::vector<ModulePtr> ups, res;
    int64_t channels = ch0;
    for (size_t i = 0; i < n_up; ++i) {
      int64_t in = ch0 >> i, out = ch0 >> (i + 1);
      auto t = make("ConvTranspose1d");
      t->param("weight", {in, out, ups_k[i]});
      t->param("bias", {out});
      ups.push_back(t);
      channels = out;
      for (size_t j = 0; j < n_res; ++j) {
        auto rb = make("HifiGanResidualBlock");
        std::vector<ModulePtr> c1, c2;
        for (size_t k = 0; k < dil_n[j]; ++k) {
          c1.push_back(conv1d(channels, channels, res_k[j]));
          c2.push_back(conv1d(channels, channels, res_k[j]));
        }
        rb->add("convs1", module_list(c1));
        rb->add("convs2", module_list(c2));
        res.push_back(rb);
      }
    }
    hifi->add("upsampler", module_list(ups));
    hifi->add("resblocks", module_list(res));
    hifi->add("conv_post", conv1d(channels, 1, 7));

    auto m = make(P + "CodeHifiGan");
    m->add("dur_predictor", variance_predictor(unit, unit, c.i("variance_predictor_kernel_size", 3)));
    m->add("unit_embedding", embedding(c.i("unit_hifi_gan_vocab_size", 10000), unit));
    m->add("speaker_embedding", embedding(c.i("vocoder_num_spkrs", 200), spkr));
    m->add("language_embedding", embedding(c.i("vocoder_num_langs", 36), lang));
    m->add("hifi_gan", hifi);
    return m;
  }

  Model build(const Config& c, std::string_view cls) {
    int64_t d = c.i("hidden_size", 1024);
    TextShape text{c.i("vocab_size", 256102), d, seq2seq::count(c, "encoder_layers", 24),
                   seq2seq::count(c, "decoder_layers", 24), c.i("encoder_ffn_dim", 8192), c.i("decoder_ffn_dim", 8192),
                   c.i("max_position_embeddings", 4096), c.s("activation_function", "relu")};
    // SeamlessM4Tv2TextToUnitForConditionalGeneration copies the config and applies every t2u_* key.
    TextShape t2u{c.i("t2u_vocab_size", 10082), d, seq2seq::count(c, "t2u_encoder_layers", 6),
                  seq2seq::count(c, "t2u_decoder_layers", 6), c.i("t2u_encoder_ffn_dim", 8192),
                  c.i("t2u_decoder_ffn_dim", 8192), c.i("t2u_max_position_embeddings", 4096), text.act};
    bool tied = heads::ties_embeddings(c, true);
    std::string shared = tied ? "shared.weight" : "";
    bool text_in = cls == P + "Model" || cls == P + "ForTextToText" || cls == P + "ForTextToSpeech";
    bool speech_in = cls == P + "Model" || cls == P + "ForSpeechToText" || cls == P + "ForSpeechToSpeech";
    bool speech_out = cls == P + "Model" || cls == P + "ForTextToSpeech" || cls == P + "ForSpeechToSpeech";
    if (!text_in && !speech_in) heads::unsupported(cls);

    auto root = make(std::string(cls));
    root->add("shared", embedding(text.vocab, d));
    if (text_in) root->add("text_encoder", text_encoder(text, shared, false));
    if (speech_in) root->add("speech_encoder", speech_encoder(c, d));
    root->add("text_decoder", text_decoder(text, shared));
    root->add("lm_head", heads::lm_head(d, text.vocab, tied, "shared.weight"));
    if (speech_out) {
      root->add("t2u_model", t2u_model(c, t2u));
      root->add("vocoder", vocoder(c));
    }
    std::vector<std::string> no_split{P + "EncoderLayer", P + "DecoderLayer", P + "ConformerEncoderLayer"};
    if (v2) no_split.push_back(P + "TextToUnitDecoderLayer");
    return {root, no_split};
  }
};

MEMFIT_FAMILY({"seamless_m4t_v2"}, "SeamlessM4Tv2",
              [](const Config& c, std::string_view cls) { return Seamless{"SeamlessM4Tv2", true}.build(c, cls); });
MEMFIT_FAMILY({"seamless_m4t"}, "SeamlessM4T",
              [](const Config& c, std::string_view cls) { return Seamless{"SeamlessM4T", false}.build(c, cls); });

}  // namespace
}  // namespace memfit
