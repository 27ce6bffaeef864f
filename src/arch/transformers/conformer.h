// The w2v-BERT conformer shared by Wav2Vec2-BERT (modeling_wav2vec2_bert.py) and SeamlessM4T's speech encoder
// (modeling_seamless_m4t*.py), under each family's class prefix ("Wav2Vec2Bert", "SeamlessM4Tv2Conformer").
#pragma once
#include <cstdint>
#include <string>

#include "tree/module.h"

namespace memfit::conformer {

struct Spec {
  std::string p;             // class prefix
  int64_t h, heads, inter;   // width, attention heads, feed-forward width
  int64_t conv_kernel;       // depthwise kernel (odd)
  std::string act;           // hidden activation of the layers' feed-forwards and convolution module
  std::string positions;     // "relative_key" (distance_embedding), "relative" (linear_pos, pos_bias_u/v), other: none
  int64_t distances;         // relative_key: left_max_position_embeddings + right_max_position_embeddings + 1
  bool depthwise_layer_norm; // LayerNorm after the depthwise conv (w2v-BERT, SeamlessM4T v2); false: BatchNorm1d
};

// <p>FeedForward over width h: intermediate_dense (h -> inter), activation `act`, output_dense.
ModulePtr feed_forward(const Spec& s, int64_t h, const std::string& act);
// <p>SelfAttention over width h (linear_q/k/v/out), with the position parameters when `positions`.
ModulePtr self_attention(const Spec& s, int64_t h, bool positions);
// <p>EncoderLayer: ffn1, self-attention, convolution module, ffn2, each with its LayerNorm, and final_layer_norm.
ModulePtr encoder_layer(const Spec& s);
// <p>AdapterLayer over width h: strided residual and attention convs (kernel k), adapter attention, `act` FFN.
ModulePtr adapter_layer(const Spec& s, int64_t h, int64_t k, const std::string& act);

}  // namespace memfit::conformer
