// Pieces of transformers' modeling_wav2vec2.py that its descendants (SEW, UniSpeech, ...) share: the Conv1d feature
// encoder over the raw waveform and the post-/pre-norm encoder layer, under each family's class prefix.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::w2v {

struct Shape {
  int64_t h, heads, inter, layers;
  std::vector<int64_t> conv_dim;
  std::string act;
  std::string p = "Wav2Vec2";  // class prefix: "Wav2Vec2", "Hubert", "Data2VecAudio", "UniSpeech", "SEW",
                               // "Wav2Vec2Conformer"
  bool hubert = false, data2vec = false, wavlm = false;
};

// <p>FeatureEncoder: conv_layers, one <p>{GroupNorm,NoLayerNorm,LayerNorm}ConvLayer per conv_dim entry.
ModulePtr feature_encoder(const Config& c, const Shape& s);
// <p>EncoderLayer (or ...StableLayerNorm): attention, dropout, layer_norm, feed_forward, final_layer_norm (+ adapter).
ModulePtr encoder_layer(const Config& c, const Shape& s, bool stable, bool first = false);
// <p>FeedForward: intermediate_dense, act, output_dense (with their dropouts).
ModulePtr feed_forward(const Shape& s);
// <p>PositionalConvEmbedding: a grouped Conv1d under weight norm, its same-padding and activation.
ModulePtr pos_conv_embed(const Config& c, const Shape& s);
// Wav2Vec2ConformerEncoder (wav2vec2_conformer.cpp): relative/rotary positions, conv positions, conformer layers.
ModulePtr conformer_encoder(const Config& c, const Shape& s);

}  // namespace memfit::w2v
