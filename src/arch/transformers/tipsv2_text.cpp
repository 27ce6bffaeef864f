// TIPSv2's text tower on its own (tipsv2_text_model, modeling_tipsv2.py): Tipsv2TextEmbeddings holds
// token_embedding, a sinusoidal position_embedding (its table a non-persistent float32 `weights` buffer
// [max_positions, hidden]) and a non-persistent position_ids buffer; CLIP-style encoder layers (self_attn with
// k/v/q/out_proj, layer_norm1, mlp fc1/fc2, layer_norm2); a final_layer_norm. _no_split_modules: the embeddings and
// Tipsv2TextEncoderLayer.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

Model build(const Config& c, std::string_view cls) {
  if (cls != "Tipsv2TextModel") heads::unsupported(cls);
  const int64_t h = c.i("hidden_size", 768), inter = c.i("intermediate_size", 3072), max_pos = c.i("max_position_embeddings", 64);
  const int64_t heads = c.i("num_attention_heads", 12);
  if (heads <= 0) throw ConfigError("num_attention_heads must be positive (model_type `tipsv2_text_model`)");
  auto pos = make("Tipsv2SinusoidalPositionalEmbedding");
  pos->buffer("weights", {max_pos, h + (h & 1)}, DType::F32, false);  // an odd width gets a zero column
  auto e = make("Tipsv2TextEmbeddings");
  e->add("token_embedding", embedding(c.i("vocab_size", 32000), h));
  e->add("position_embedding", pos);
  e->buffer("position_ids", {1, max_pos}, DType::I64, false);
  auto attn = make("Tipsv2TextAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(h, h));
  auto mlp = make("Tipsv2MLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "relu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto l = make("Tipsv2TextEncoderLayer");
  l->add("self_attn", attn);
  l->add("layer_norm1", layer_norm(h));
  l->add("mlp", mlp);
  l->add("layer_norm2", layer_norm(h));
  auto enc = make("Tipsv2TextEncoder");
  enc->add("layers", repeat(l, c.i("num_hidden_layers", 12)));
  auto m = make("Tipsv2TextModel");
  m->add("embeddings", e);
  m->add("encoder", enc);
  m->add("final_layer_norm", layer_norm(h));
  return {m, {"Tipsv2TextEmbeddings", "Tipsv2TextEncoderLayer"}};
}

MEMFIT_FAMILY({"tipsv2_text_model"}, "Tipsv2Text", build, "Tipsv2TextModel");

}  // namespace
