// DeBERTa-v2's encoder (deberta_v2.cpp), shared with SEW-D (sew.cpp), whose transformer is the same stack.
#pragma once
#include <cstdint>
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::deberta {

struct Shape {
  int64_t vocab, hidden, emb, layers, all_head, inter, max_pos, type_vocab;
  std::string act;
};

// <p>Encoder (SEW-D: SEWDTransformerEncoder): layer.N of disentangled attention, relative position embeddings
// (relative_attention), their LayerNorm (norm_rel_ebd) and the optional ConvLayer (conv_kernel_size); `p` is the
// class prefix ("DebertaV2", "SEWD").
ModulePtr v2_encoder(const Config& c, const Shape& s, const std::string& p);

}  // namespace memfit::deberta
