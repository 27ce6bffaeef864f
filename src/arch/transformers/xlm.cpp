// XLM (modeling_xlm.py) and FlauBERT (modeling_flaubert.py, the same tree): position_embeddings, lang_embeddings (when
// n_langs > 1 and use_lang_emb), token `embeddings`, layer_norm_emb, then four parallel ModuleLists (attentions of
// q_lin/k_lin/v_lin/out_lin, layer_norm1, ffns of lin1/lin2 with hidden 4 * emb_dim, layer_norm2) and a
// non-persistent position_ids buffer.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls, const std::string& p) {
  const int64_t dim = c.i("emb_dim", 2048), heads = c.i("n_heads", 16), layers = checked_count(c.i("n_layers", 12));
  const int64_t max_pos = checked_count(c.i("max_position_embeddings", 512), "max_position_embeddings");
  if (heads <= 0 || dim % heads != 0) throw ConfigError("transformer dim must be a multiple of n_heads");
  const int64_t langs = c.i("n_langs", 1);
  auto m = make(p + "Model");
  m->add("position_embeddings", embedding(max_pos, dim));
  if (langs > 1 && c.b("use_lang_emb", true)) m->add("lang_embeddings", embedding(langs, dim));
  m->add("embeddings", embedding(c.i("vocab_size", 30145), dim));
  m->add("layer_norm_emb", layer_norm(dim));
  auto attn = make("MultiHeadAttention");
  for (const char* n : {"q_lin", "k_lin", "v_lin", "out_lin"}) attn->add(n, linear(dim, dim));
  auto ffn = make("TransformerFFN");
  ffn->add("lin1", linear(dim, 4 * dim));
  ffn->add("lin2", linear(4 * dim, dim));
  m->add("attentions", repeat(attn, layers));
  m->add("layer_norm1", repeat(layer_norm(dim), layers));
  m->add("ffns", repeat(ffn, layers));
  m->add("layer_norm2", repeat(layer_norm(dim), layers));
  m->buffer("position_ids", {1, max_pos}, DType::I64, false);
  if (cls != p + "Model") heads::unsupported(cls);
  return {m, {}};
}

MEMFIT_FAMILY({"xlm"}, "XLM", [](const Config& c, std::string_view cls) { return build(c, cls, "XLM"); });
MEMFIT_FAMILY({"flaubert"}, "Flaubert", [](const Config& c, std::string_view cls) { return build(c, cls, "Flaubert"); });

}  // namespace
}  // namespace memfit
