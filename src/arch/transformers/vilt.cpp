// ViLT (modeling_vilt.py): ViltEmbeddings holds BERT-style text_embeddings (word, position, token type, LayerNorm,
// non-persistent id buffers), cls_token [1, 1, h], ViT patch_embeddings (Conv2d projection), position_embeddings
// [1, patches + 1, h] and modality token_type_embeddings; ViT-style layers (attention.attention q/k/v per qkv_bias,
// attention.output dense, intermediate, output, layernorm_before/after); a final layernorm and the pooler.
// _no_split_modules: ViltEmbeddings, ViltSelfAttention.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

ModulePtr vilt_model(const Config& c) {
  const int64_t h = c.i("hidden_size", 768), inter = c.i("intermediate_size", 3072);
  const int64_t max_pos = c.i("max_position_embeddings", 40), img = c.i("image_size", 384), patch = c.i("patch_size", 32);
  const int64_t heads = c.i("num_attention_heads", 12);
  if (patch <= 0 || heads <= 0 || h % heads != 0)
    throw ConfigError("patch_size and num_attention_heads must be positive, hidden_size a multiple of the heads "
                      "(model_type `vilt`)");
  auto text = make("TextEmbeddings");
  text->add("word_embeddings", embedding(c.i("vocab_size", 30522), h));
  text->add("position_embeddings", embedding(max_pos, h));
  text->add("token_type_embeddings", embedding(c.i("type_vocab_size", 2), h));
  text->add("LayerNorm", layer_norm(h));
  text->add("dropout", leaf("Dropout"));
  text->buffer("position_ids", {1, max_pos}, DType::I64, false);
  text->buffer("token_type_ids", {1, max_pos}, DType::I64, false);
  auto pe = make("ViltPatchEmbeddings");
  pe->add("projection", conv2d(c.i("num_channels", 3), h, patch));
  const int64_t patches = (img / patch) * (img / patch);
  auto e = make("ViltEmbeddings");
  e->add("text_embeddings", text);
  e->param("cls_token", {1, 1, h});
  e->add("patch_embeddings", pe);
  e->param("position_embeddings", {1, patches + 1, h});
  e->add("token_type_embeddings", embedding(c.i("modality_type_vocab_size", 2), h));
  e->add("dropout", leaf("Dropout"));

  const bool qkv_bias = c.b("qkv_bias", true);
  auto self = make("ViltSelfAttention");
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(h, h, qkv_bias));
  self->add("dropout", leaf("Dropout"));
  auto so = make("ViltSelfOutput");
  so->add("dense", linear(h, h));
  so->add("dropout", leaf("Dropout"));
  auto attn = make("ViltAttention");
  attn->add("attention", self);
  attn->add("output", so);
  auto im = make("ViltIntermediate");
  im->add("dense", linear(h, inter));
  im->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto out = make("ViltOutput");
  out->add("dense", linear(inter, h));
  out->add("dropout", leaf("Dropout"));
  auto l = make("ViltLayer");
  l->add("attention", attn);
  l->add("intermediate", im);
  l->add("output", out);
  l->add("layernorm_before", layer_norm(h));
  l->add("layernorm_after", layer_norm(h));
  auto enc = make("ViltEncoder");
  enc->add("layer", repeat(l, c.i("num_hidden_layers", 12)));

  auto m = make("ViltModel");
  m->add("embeddings", e);
  m->add("encoder", enc);
  m->add("layernorm", layer_norm(h));
  auto p = make("ViltPooler");
  p->add("dense", linear(h, h));
  p->add("activation", leaf("Tanh"));
  m->add("pooler", p);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const std::vector<std::string> no_split{"ViltEmbeddings", "ViltSelfAttention"};
  if (cls == "ViltModel") return {vilt_model(c), no_split};
  if (cls != "ViltForQuestionAnswering") heads::unsupported(cls);
  const int64_t h = c.i("hidden_size", 768);
  auto root = make(std::string(cls));
  root->add("vilt", vilt_model(c));
  auto cl = make("Sequential");
  cl->add("0", linear(h, 2 * h));
  cl->add("1", layer_norm(2 * h));
  cl->add("2", leaf("GELU"));
  cl->add("3", linear(2 * h, heads::num_labels(c)));
  root->add("classifier", cl);
  return {root, no_split};
}

MEMFIT_FAMILY({"vilt"}, "Vilt", build);

}  // namespace
