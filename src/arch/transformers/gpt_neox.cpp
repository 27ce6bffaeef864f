// GPT-NeoX (Pythia, RedPajama-INCITE...): transformers' modeling_gpt_neox.py. Two LayerNorms, a fused biased
// query_key_value, dense_h_to_4h/dense_4h_to_h MLP; rotary over rotary_pct (default 0.25) of each head.
// Checkpoints name the LM head `embed_out` (transformers 5 renames it to lm_head on load).
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr neox_model(const Config& c) {
  DecoderSpec s = read_decoder(c, "GPTNeoX");
  bool bias = c.b("attention_bias", true);
  auto attn = make("GPTNeoXAttention");
  attn->add("query_key_value", linear(s.hidden, 3 * s.hidden, bias));
  attn->add("dense", linear(s.hidden, s.hidden, bias));
  auto mlp = make("GPTNeoXMLP");
  mlp->add("dense_h_to_4h", linear(s.hidden, s.inter));
  mlp->add("dense_4h_to_h", linear(s.inter, s.hidden));
  mlp->add("act", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto layer = make("GPTNeoXLayer");
  layer->add("input_layernorm", layer_norm(s.hidden));
  layer->add("post_attention_layernorm", layer_norm(s.hidden));
  layer->add("post_attention_dropout", leaf("Dropout"));
  layer->add("post_mlp_dropout", leaf("Dropout"));
  layer->add("attention", attn);
  layer->add("mlp", mlp);

  auto m = make("GPTNeoXModel");
  m->add("embed_in", embedding(s.vocab, s.hidden));
  m->add("emb_dropout", leaf("Dropout"));
  m->add("layers", repeat(layer, s.layers));
  m->add("final_layer_norm", layer_norm(s.hidden));
  int64_t head_size = s.hidden / s.heads;
  m->add("rotary_emb", rotary("GPTNeoXRotaryEmbedding", rope_dim(head_size, rope_fraction(c, 0.25, "rotary_pct"))));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"GPTNeoXLayer"};
  if (cls == "GPTNeoXModel") return {neox_model(c), no_split};
  int64_t hidden = c.i("hidden_size"), vocab = c.i("vocab_size");
  auto root = make(std::string(cls));
  root->add("gpt_neox", neox_model(c));
  if (cls == "GPTNeoXForCausalLM") {
    root->add("lm_head", heads::lm_head(hidden, vocab, heads::ties_embeddings(c, false), "gpt_neox.embed_in.weight"));
  } else if (cls == "GPTNeoXForSequenceClassification") {
    root->add("score", linear(hidden, heads::num_labels(c), false));
  } else if (cls == "GPTNeoXForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(hidden, heads::num_labels(c)));
  } else if (cls == "GPTNeoXForQuestionAnswering") {
    root->add("qa_outputs", linear(hidden, 2));
  } else {
    heads::unsupported(cls);
  }
  Model m{root, no_split};
  if (cls == "GPTNeoXForCausalLM") m.to_checkpoint = rename_mapping({{R"(^lm_head\.)", "embed_out."}});
  return m;
}

MEMFIT_FAMILY({"gpt_neox"}, "GPTNeoX", build);

}  // namespace
}  // namespace memfit
