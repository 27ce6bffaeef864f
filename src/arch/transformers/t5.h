// T5's block (transformers' modeling_t5.py), shared with the families that copy it under their own prefix (UDOP):
// layer = [self-attention (+ relative_attention_bias when asked), cross-attention in a decoder, DenseReluDense FF].
#pragma once
#include <cstdint>
#include <string>

#include "tree/module.h"

namespace memfit::t5 {

struct T5Shape {
  std::string p;  // class prefix: "T5", "MT5", "UMT5", "LongT5", "Udop"
  int64_t vocab, d_model, d_kv, d_ff, heads, buckets;
  bool gated;
  bool bias_every_block = false;  // UMT5
  std::string encoder_attention;  // LongT5: "local" or "transient-global"; "" for T5's full attention
};

// <p>Attention: q, k, v, o without bias (+ relative_attention_bias [buckets, heads] when `relative_bias`).
ModulePtr attention(const T5Shape& s, bool relative_bias);
// <p>Block: layer = ModuleList[<p>LayerSelfAttention, (<p>LayerCrossAttention,) <p>LayerFF].
ModulePtr block(const T5Shape& s, bool decoder, bool relative_bias);

}  // namespace memfit::t5
