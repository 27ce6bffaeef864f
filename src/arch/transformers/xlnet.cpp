// XLNet: transformers' modeling_xlnet.py. word_embedding, mask_emb [1, 1, d_model], and layers of relative
// attention (q/k/v/o/r as [d_model, n_head, d_head] parameters, three relative biases, seg_embed, layer_norm) and a
// feed-forward block (layer_norm, layer_1, layer_2).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  if (cls != "XLNetModel") heads::unsupported(cls);
  const int64_t d = c.i("d_model", 1024), heads = c.i("n_head", 16), inner = c.i("d_inner", 4096);
  if (heads <= 0 || d % heads != 0) throw ConfigError("XLNet's d_model must be a multiple of n_head");
  const int64_t dh = c.i("d_head", d / heads);
  auto attn = make("XLNetRelativeAttention");
  for (const char* n : {"q", "k", "v", "o", "r"}) attn->param(n, {d, heads, dh});
  for (const char* n : {"r_r_bias", "r_s_bias", "r_w_bias"}) attn->param(n, {heads, dh});
  attn->param("seg_embed", {2, heads, dh});
  attn->add("layer_norm", layer_norm(d));
  attn->add("dropout", leaf("Dropout"));
  auto ff = make("XLNetFeedForward");
  ff->add("layer_norm", layer_norm(d));
  ff->add("layer_1", linear(d, inner));
  ff->add("layer_2", linear(inner, d));
  ff->add("dropout", leaf("Dropout"));
  ff->add("activation_function", leaf(act_class(c.s("ff_activation", "gelu"))));
  auto layer = make("XLNetLayer");
  layer->add("rel_attn", attn);
  layer->add("ff", ff);
  layer->add("dropout", leaf("Dropout"));
  auto m = make("XLNetModel");
  m->add("word_embedding", embedding(c.i("vocab_size", 32000), d));
  m->param("mask_emb", {1, 1, d});
  m->add("layer", repeat(layer, checked_count(c.i("n_layer", 24))));
  m->add("dropout", leaf("Dropout"));
  return {m, {}};
}

MEMFIT_FAMILY({"xlnet"}, "XLNet", build);

}  // namespace
}  // namespace memfit
