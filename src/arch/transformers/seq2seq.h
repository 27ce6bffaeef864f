// The BART-shaped encoder-decoder shared by BART, mBART, Marian, M2M100, Pegasus and LED (transformers'
// modeling_bart.py and its "Copied from" descendants): shared token embedding, encoder and decoder stacks of
// self-attention (+ cross-attention) and fc1/fc2 layers, and the usual task heads.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit::seq2seq {

// How a stack holds its position embeddings.
enum class Positions {
  Learned,           // nn.Embedding(max_pos + offset, d): BartLearnedPositionalEmbedding (offset 2), LED (offset 0)
  SinusoidalParam,   // frozen nn.Embedding(max_pos, d) filled with sinusoids (Marian, Pegasus)
  SinusoidalBuffer,  // non-persistent float32 buffer `weights` [max_pos + 2, d] (M2M100, NLLB)
};

struct Shape {
  std::string p;  // class prefix, e.g. "Bart"
  int64_t vocab = 0, dec_vocab = 0, d_model = 0;
  int64_t enc_layers = 0, dec_layers = 0, enc_ffn = 0, dec_ffn = 0;
  int64_t enc_pos = 0, dec_pos = 0;  // position-table sizes before the offset
  std::string act;
  Positions positions = Positions::Learned;
  int64_t pos_offset = 2;                  // Learned only
  std::string tok_cls = "Embedding";       // token embedding class (e.g. "BartScaledWordEmbedding")
  std::string pos_cls;                     // position module class (e.g. "BartLearnedPositionalEmbedding")
  bool layernorm_embedding = true;         // encoder/decoder.layernorm_embedding after the layers
  bool final_layer_norm = false;           // encoder/decoder.layer_norm after the layers
  bool shared = true;                      // a `shared` embedding exists (Marian: share_encoder_decoder_embeddings)
  bool tied = true;                        // config.tie_word_embeddings
};

// A layer count read from the config, rejected when negative or absurd (ConfigError).
int64_t count(const Config& c, std::string_view key, int64_t def);
// The fields every BART-like config spells the same way (vocab_size, d_model, encoder_*/decoder_*,
// max_position_embeddings, activation_function, tie_word_embeddings); the caller sets the rest.
Shape read(const Config& c, std::string prefix, int64_t vocab_def, int64_t d_model_def, int64_t layers_def,
           int64_t ffn_def, std::string act_def);

// <P>Attention: k_proj, v_proj, q_proj, out_proj (each d -> d with bias).
ModulePtr attention(const std::string& cls, int64_t d);
// <P>EncoderLayer; `self_attn` replaces the default attention (LED's longformer attention) when given.
ModulePtr encoder_layer(const Shape& s, ModulePtr self_attn = nullptr);
// <P>DecoderLayer: self_attn, self_attn_layer_norm, encoder_attn, encoder_attn_layer_norm, fc1, fc2, final_layer_norm.
ModulePtr decoder_layer(const Shape& s);
// <P>Encoder / <P>Decoder; `shared_name` is the full name embed_tokens ties to ("" = an own weight).
ModulePtr encoder(const Shape& s, const std::string& shared_name, ModulePtr layer = nullptr);
ModulePtr decoder(const Shape& s, const std::string& shared_name);
// <P>Model: shared, encoder, decoder; `base` is its name in the full model ("" at the root, "model" in heads).
ModulePtr model(const Shape& s, const std::string& base, ModulePtr enc_layer = nullptr);

// AutoModel and the task heads of a BART-like family: <P>Model, ForConditionalGeneration (MTModel for Marian),
// ForSequenceClassification, ForQuestionAnswering, ForCausalLM. `base` is base_model_prefix ("model", "led").
Model build(const Config& c, std::string_view cls, const Shape& s, std::vector<std::string> no_split,
            const std::string& base = "model", ModulePtr enc_layer = nullptr, bool logits_bias = true);

}  // namespace memfit::seq2seq
