// I-BERT: transformers' modeling_ibert.py with quant_modules.py. RoBERTa's tree built from quantisation-aware modules
// that keep float32 buffers beside every weight: QuantEmbedding / QuantLinear hold integer copies of the weight (and
// bias) and scaling factors, QuantAct three scalars, IntLayerNorm a shift and its own QuantAct.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr quant_act() {
  auto m = make("QuantAct");
  for (const char* n : {"x_min", "x_max", "act_scaling_factor"}) m->buffer(n, {1}, DType::F32);
  return m;
}
ModulePtr quant_embedding(int64_t num, int64_t dim) {
  auto m = make("QuantEmbedding");
  m->param("weight", {num, dim});
  m->buffer("weight_scaling_factor", {1}, DType::F32);
  m->buffer("weight_integer", {num, dim}, DType::F32);
  return m;
}
ModulePtr quant_linear(int64_t in, int64_t out) {
  auto m = make("QuantLinear");
  m->param("weight", {out, in});
  m->buffer("weight_integer", {out, in}, DType::F32);
  m->buffer("fc_scaling_factor", {out}, DType::F32);
  m->param("bias", {out});
  m->buffer("bias_integer", {out}, DType::F32);
  return m;
}
ModulePtr int_layer_norm(int64_t d) {
  auto m = make("IntLayerNorm");
  m->param("weight", {d});
  m->param("bias", {d});
  m->buffer("shift", {1}, DType::F32);
  m->add("activation", quant_act());
  return m;
}
// IBertSelfOutput / IBertOutput: dense, ln_input_act, LayerNorm, output_activation.
ModulePtr dense_norm(const std::string& cls, int64_t in, int64_t h) {
  auto m = make(cls);
  m->add("dense", quant_linear(in, h));
  m->add("ln_input_act", quant_act());
  m->add("LayerNorm", int_layer_norm(h));
  m->add("output_activation", quant_act());
  m->add("dropout", leaf("Dropout"));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "IBertModel") heads::unsupported(cls);
  const int64_t h = c.i("hidden_size", 768), inter = c.i("intermediate_size", 3072);
  const int64_t max_pos = checked_count(c.i("max_position_embeddings", 512), "max_position_embeddings");
  auto emb = make("IBertEmbeddings");
  emb->add("word_embeddings", quant_embedding(c.i("vocab_size", 30522), h));
  emb->add("token_type_embeddings", quant_embedding(c.i("type_vocab_size", 2), h));
  emb->buffer("position_ids", {1, max_pos}, DType::I64, false);
  emb->add("position_embeddings", quant_embedding(max_pos, h));
  emb->add("embeddings_act1", quant_act());
  emb->add("embeddings_act2", quant_act());
  emb->add("LayerNorm", int_layer_norm(h));
  emb->add("output_activation", quant_act());
  emb->add("dropout", leaf("Dropout"));

  auto self = make("IBertSelfAttention");
  for (const char* n : {"query", "key", "value"}) self->add(n, quant_linear(h, h));
  for (const char* n : {"query_activation", "key_activation", "value_activation", "output_activation"})
    self->add(n, quant_act());
  self->add("dropout", leaf("Dropout"));
  auto softmax = make("IntSoftmax");
  softmax->add("act", quant_act());
  self->add("softmax", softmax);
  auto attn = make("IBertAttention");
  attn->add("self", self);
  attn->add("output", dense_norm("IBertSelfOutput", h, h));
  auto im = make("IBertIntermediate");
  im->add("dense", quant_linear(h, inter));
  im->add("intermediate_act_fn", leaf("IntGELU"));
  im->add("output_activation", quant_act());
  auto layer = make("IBertLayer");
  layer->add("attention", attn);
  layer->add("intermediate", im);
  layer->add("output", dense_norm("IBertOutput", inter, h));
  layer->add("pre_intermediate_act", quant_act());
  layer->add("pre_output_act", quant_act());
  auto enc = make("IBertEncoder");
  enc->add("layer", repeat(layer, checked_count(c.i("num_hidden_layers", 12))));
  auto pool = make("IBertPooler");
  pool->add("dense", linear(h, h));
  pool->add("activation", leaf("Tanh"));
  auto m = make("IBertModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("pooler", pool);
  return {m, {}};
}

MEMFIT_FAMILY({"ibert"}, "IBert", build);

}  // namespace
}  // namespace memfit
