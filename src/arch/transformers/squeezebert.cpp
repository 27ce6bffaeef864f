// SqueezeBERT: transformers' modeling_squeezebert.py. BERT's embeddings and pooler around layers built from grouped
// 1x1 Conv1d: attention query/key/value (q/k/v_groups), post_attention and output (conv + SqueezeBertLayerNorm),
// intermediate (conv + activation).
#include <fmt/format.h>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// nn.Conv1d(cin, cout, kernel_size=1, groups): weight [cout, cin / groups, 1], bias [cout].
ModulePtr conv1x1(const Config& c, int64_t cin, int64_t cout, const char* groups_key) {
  const int64_t g = c.i(groups_key, 1);
  if (g <= 0 || cin % g != 0 || cout % g != 0)
    throw ConfigError(fmt::format("`{}` ({}) must divide the channels (model_type `squeezebert`)", groups_key, g));
  auto m = make("Conv1d");
  m->param("weight", {cout, cin / g, 1});
  m->param("bias", {cout});
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const int64_t h = c.i("hidden_size", 768), inter = c.i("intermediate_size", 3072), e = c.i("embedding_size", 768);
  const int64_t max_pos = checked_count(c.i("max_position_embeddings", 512), "max_position_embeddings");
  if (e != h) throw ConfigError("SqueezeBERT needs embedding_size == hidden_size (model_type `squeezebert`)");
  auto emb = make("SqueezeBertEmbeddings");
  emb->add("word_embeddings", embedding(c.i("vocab_size", 30528), e));
  emb->add("position_embeddings", embedding(max_pos, e));
  emb->add("token_type_embeddings", embedding(c.i("type_vocab_size", 2), e));
  emb->add("LayerNorm", layer_norm(h));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, max_pos}, DType::I64, false);

  auto attn = make("SqueezeBertSelfAttention");
  attn->add("query", conv1x1(c, h, h, "q_groups"));
  attn->add("key", conv1x1(c, h, h, "k_groups"));
  attn->add("value", conv1x1(c, h, h, "v_groups"));
  auto conv_norm = [&](int64_t cin, int64_t cout, const char* key) {
    auto m = make("ConvDropoutLayerNorm");
    m->add("conv1d", conv1x1(c, cin, cout, key));
    m->add("layernorm", layer_norm(cout, true, "SqueezeBertLayerNorm"));
    m->add("dropout", leaf("Dropout"));
    return m;
  };
  auto act = make("ConvActivation");
  act->add("conv1d", conv1x1(c, h, inter, "intermediate_groups"));
  act->add("act", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto layer = make("SqueezeBertModule");
  layer->add("attention", attn);
  layer->add("post_attention", conv_norm(h, h, "post_attention_groups"));
  layer->add("intermediate", act);
  layer->add("output", conv_norm(inter, h, "output_groups"));
  auto enc = make("SqueezeBertEncoder");
  enc->add("layers", repeat(layer, checked_count(c.i("num_hidden_layers", 12))));
  auto pool = make("SqueezeBertPooler");
  pool->add("dense", linear(h, h));
  pool->add("activation", leaf("Tanh"));
  auto m = make("SqueezeBertModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("pooler", pool);
  if (cls != "SqueezeBertModel") heads::unsupported(cls);
  return {m, {}};
}

MEMFIT_FAMILY({"squeezebert"}, "SqueezeBert", build);

}  // namespace
}  // namespace memfit
