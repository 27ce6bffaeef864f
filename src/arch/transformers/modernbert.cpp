// ModernBERT: transformers' modeling_modernbert.py. Pre-norm encoder layers with fused Wqkv and a gated Wi MLP,
// rotary embeddings per attention type (full / sliding), and no attn_norm in layer 0.
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr modernbert_model(const Config& c) {
  int64_t h = c.i("hidden_size", 768), inter = c.i("intermediate_size", 1152);
  int64_t heads = c.i("num_attention_heads", 12), layers = seq2seq::count(c, "num_hidden_layers", 22);
  if (heads <= 0) throw ConfigError("num_attention_heads must be positive");
  int64_t head_dim = h / heads;
  bool norm_bias = c.b("norm_bias", false), attn_bias = c.b("attention_bias", false), mlp_bias = c.b("mlp_bias", false);
  std::vector<std::string> types = c.strings("layer_types");
  if (types.empty()) {
    int64_t every = c.i("global_attn_every_n_layers", 3);
    if (every <= 0) throw ConfigError("global_attn_every_n_layers must be positive");
    for (int64_t i = 0; i < layers; ++i) types.push_back(i % every ? "sliding_attention" : "full_attention");
  }
  if (static_cast<int64_t>(types.size()) < layers) throw ConfigError("layer_types is shorter than num_hidden_layers");

  auto emb = make("ModernBertEmbeddings");
  emb->add("tok_embeddings", embedding(c.i("vocab_size", 50368), h));
  emb->add("norm", layer_norm(h, norm_bias));
  emb->add("drop", leaf("Dropout"));

  auto attn = make("ModernBertAttention");
  attn->add("Wqkv", linear(h, 3 * head_dim * heads, attn_bias));
  attn->add("Wo", linear(h, h, attn_bias));
  attn->add("out_drop", leaf(c.f("attention_dropout", 0.0) > 0.0 ? "Dropout" : "Identity"));
  auto mlp = make("ModernBertMLP");
  mlp->add("Wi", linear(h, inter * 2, mlp_bias));
  mlp->add("act", leaf(act_class(c.s("hidden_activation", "gelu"))));
  mlp->add("drop", leaf("Dropout"));
  mlp->add("Wo", linear(inter, h, mlp_bias));
  auto layer = [&](bool first) {
    auto l = make("ModernBertEncoderLayer");
    l->add("attn_norm", first ? leaf("Identity") : layer_norm(h, norm_bias));
    l->add("attn", attn);
    l->add("mlp_norm", layer_norm(h, norm_bias));
    l->add("mlp", mlp);
    return l;
  };
  std::vector<ModulePtr> blocks_;
  auto rest = layer(false);
  for (int64_t i = 0; i < layers; ++i) blocks_.push_back(i == 0 ? layer(true) : rest);

  // ModernBertRotaryEmbedding: <type>_inv_freq and <type>_original_inv_freq per distinct layer type.
  auto rot = make("ModernBertRotaryEmbedding");
  std::vector<std::string> seen;
  for (const auto& t : types)
    if (std::find(seen.begin(), seen.end(), t) == seen.end()) seen.push_back(t);
  for (const auto& t : seen) {
    rot->buffer(t + "_inv_freq", {head_dim / 2}, DType::F32, false);
    rot->buffer(t + "_original_inv_freq", {head_dim / 2}, DType::F32, false);
  }

  auto m = make("ModernBertModel");
  m->add("embeddings", emb);
  m->add("layers", module_list(blocks_));
  m->add("final_norm", layer_norm(h, norm_bias));
  m->add("rotary_emb", rot);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"ModernBertEmbeddings", "ModernBertEncoderLayer"};
  if (cls == "ModernBertModel") return {modernbert_model(c), no_split};
  int64_t h = c.i("hidden_size", 768), vocab = c.i("vocab_size", 50368);
  auto root = make(std::string(cls));
  root->add("model", modernbert_model(c));
  auto head = make("ModernBertPredictionHead");
  head->add("dense", linear(h, h, c.b("classifier_bias", false)));
  head->add("act", leaf(act_class(c.s("classifier_activation", "gelu"))));
  head->add("norm", layer_norm(h, c.b("norm_bias", false)));
  root->add("head", head);
  if (cls == "ModernBertForMaskedLM") {
    auto dec = make("Linear");
    if (heads::ties_embeddings(c, true))
      dec->tie("weight", {vocab, h}, "model.embeddings.tok_embeddings.weight");
    else
      dec->param("weight", {vocab, h});
    if (c.b("decoder_bias", true)) dec->param("bias", {vocab});
    root->add("decoder", dec);
  } else if (cls == "ModernBertForSequenceClassification" || cls == "ModernBertForTokenClassification" ||
             cls == "ModernBertForQuestionAnswering" || cls == "ModernBertForMultipleChoice") {
    root->add("drop", leaf("Dropout"));
    root->add("classifier", linear(h, cls == "ModernBertForMultipleChoice" ? 1 : heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"modernbert"}, "ModernBert", build);

}  // namespace
}  // namespace memfit
