// CTRL: transformers' modeling_ctrl.py. Token embedding `w`, layers `h` of MultiHeadAttention (Wq, Wk, Wv, dense)
// and a Sequential FFN (Linear, ReLU, Linear) with two LayerNorms, a final layernorm, and the sinusoidal table as a
// non-persistent float32 buffer pos_encoding [n_positions, n_embd].
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  const int64_t d = c.i("n_embd", 1280), dff = c.i("dff", 8192), vocab = c.i("vocab_size", 246534);
  auto mha = make("MultiHeadAttention");
  for (const char* n : {"Wq", "Wk", "Wv", "dense"}) mha->add(n, linear(d, d));
  auto ffn = make("Sequential");
  ffn->add("0", linear(d, dff));
  ffn->add("1", leaf("ReLU"));
  ffn->add("2", linear(dff, d));
  auto layer = make("EncoderLayer");
  layer->add("multi_head_attention", mha);
  layer->add("ffn", ffn);
  layer->add("layernorm1", layer_norm(d));
  layer->add("layernorm2", layer_norm(d));
  layer->add("dropout1", leaf("Dropout"));
  layer->add("dropout2", leaf("Dropout"));

  auto m = make("CTRLModel");
  m->add("w", embedding(vocab, d));
  m->add("dropout", leaf("Dropout"));
  m->add("h", repeat(layer, checked_count(c.i("n_layer", 48))));
  m->add("layernorm", layer_norm(d));
  m->buffer("pos_encoding", {checked_count(c.i("n_positions", 256), "n_positions"), d}, DType::F32, false);
  if (cls == "CTRLModel") return {m, {}};
  auto root = make(std::string(cls));
  root->add("transformer", m);
  if (cls == "CTRLLMHeadModel") {
    auto head = make("Linear");
    if (heads::ties_embeddings(c, true))
      head->tie("weight", {vocab, d}, "transformer.w.weight");
    else
      head->param("weight", {vocab, d});
    head->param("bias", {vocab});
    root->add("lm_head", head);
  } else if (cls == "CTRLForSequenceClassification") {
    root->add("classifier", linear(d, heads::num_labels(c), false));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"ctrl"}, "CTRL", build, "CTRLModel", "CTRLLMHeadModel");

}  // namespace
}  // namespace memfit
