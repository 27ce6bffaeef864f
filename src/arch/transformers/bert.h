// BERT's reusable pieces (modeling_bert.py), for the families whose layers are BertLayer under another prefix
// (RoBERTa, XLM-RoBERTa, ELECTRA, ...).
#pragma once
#include <cstdint>
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::bert {

struct BertShape {
  std::string prefix;  // "Bert", "Roberta", "XLMRoberta", "Electra"
  int64_t vocab, hidden, layers, heads, inter, max_pos, type_vocab;
  std::string act;
};

// The BertConfig fields (vocab_size, hidden_size, num_hidden_layers, ...), with the family's vocab default.
BertShape read(const Config& c, std::string prefix, int64_t vocab_default);
// <P>Layer: attention (self: query/key/value, output: dense/LayerNorm), intermediate, output.
ModulePtr layer(const BertShape& s);
// BertLayer around a given self-attention module: attention (self + SelfOutput), Intermediate and Output, classes
// named `p` + "..."; layer() passes BERT's query/key/value attention, DeBERTa-v2 its disentangled one.
ModulePtr layer_with(const std::string& p, ModulePtr self, int64_t hidden, int64_t inter, const std::string& act);
// <P>Embeddings: word, position (last when `roberta`), token-type embeddings, LayerNorm, position_ids/token_type_ids.
ModulePtr embeddings(const BertShape& s, bool roberta, const Config& c);
// <P>Model: embeddings, encoder.layer.N and, with `pooler`, <P>Pooler (dense + Tanh) -- the text towers of the
// contrastive families (ALIGN, CLAP) are this tree under their prefix.
ModulePtr model(const BertShape& s, bool roberta, const Config& c, bool pooler);

}  // namespace memfit::bert
