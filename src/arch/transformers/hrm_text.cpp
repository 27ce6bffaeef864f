// HRM-Text: transformers' modeling_hrm_text.py. Two recurrent stacks (L_module and H_module) of num_layers_per_stack
// layers each: MHA with a sigmoid output gate (gate_proj), a gated MLP, and weightless RMSNorms; the model holds the
// token embedding, the rotary embedding and z_L_init [hidden], the low-cycle stack's initial state.
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "HrmText");
  const bool bias = c.b("attention_bias", false);
  const int64_t inner = s.heads * s.head_dim;
  auto attn = make("HrmTextAttention");
  attn->add("q_proj", linear(s.hidden, inner, bias));
  attn->add("k_proj", linear(s.hidden, inner, bias));
  attn->add("v_proj", linear(s.hidden, inner, bias));
  attn->add("o_proj", linear(inner, s.hidden, bias));
  attn->add("gate_proj", linear(s.hidden, inner, bias));
  auto layer = make("HrmTextDecoderLayer");
  layer->add("self_attn", attn);
  layer->add("mlp", gated_mlp("HrmTextMLP", s.hidden, s.inter, c.b("mlp_bias", false), act_class(s.act)));
  layer->add("input_layernorm", leaf("HrmTextRMSNorm"));
  layer->add("post_attention_layernorm", leaf("HrmTextRMSNorm"));
  auto stack = make("HrmTextStack");
  stack->add("layers", repeat(layer, checked_count(c.i("num_layers_per_stack", 16))));
  stack->add("final_norm", leaf("HrmTextRMSNorm"));

  auto m = make("HrmTextModel");
  m->add("embed_tokens", embedding(s.vocab, s.hidden));
  m->add("rotary_emb", rotary("HrmTextRotaryEmbedding", s.head_dim));
  m->add("L_module", stack);
  m->add("H_module", stack);
  m->param("z_L_init", {s.hidden});
  return heads::base_or_causal_lm(cls, "HrmTextModel", "HrmTextForCausalLM", m, s.hidden, s.vocab, s.tie_embeddings,
                                  {"HrmTextDecoderLayer"});
}

MEMFIT_FAMILY({"hrm_text"}, "HrmText", build);

}  // namespace
}  // namespace memfit
