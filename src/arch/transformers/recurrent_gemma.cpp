// RecurrentGemma (Griffin): transformers' modeling_recurrent_gemma.py. Layers cycle through block_types: a
// recurrent block (linear_y/x, depthwise conv_1d, RG-LRU with per-head gate weights, linear_out) or local attention
// (q/k/v, biased o_proj, its own rotary embedding); each layer has two RMSNorms and a biased gated MLP of
// intermediate_size / 2. The model keeps a bfloat16 scalar `normalizer` (non-persistent).
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr recurrent_block(const Config& c, int64_t h, int64_t heads) {
  int64_t lru = checked(c, "lru_width", c.i("lru_width", h));
  if (lru % heads) c.missing("lru_width");
  int64_t bw = lru / heads;
  auto rg = make("RecurrentGemmaRglru");
  rg->param("recurrent_param", {lru});
  rg->param("input_gate_weight", {heads, bw, bw});
  rg->param("input_gate_bias", {heads, bw});
  rg->param("recurrent_gate_weight", {heads, bw, bw});
  rg->param("recurrent_gate_bias", {heads, bw});
  auto b = make("RecurrentGemmaRecurrentBlock");
  b->add("linear_y", linear(h, lru));
  b->add("linear_x", linear(h, lru));
  b->add("linear_out", linear(lru, h));
  b->add("conv_1d", ssm::depthwise_conv1d(lru, checked(c, "conv1d_width", c.i("conv1d_width", 4)), true));
  b->add("rg_lru", rg);
  b->add("act_fn", leaf(act_class(c.s("hidden_activation", "gelu_pytorch_tanh"))));
  return b;
}

ModulePtr recurrent_gemma_model(const Config& c, int64_t h, int64_t vocab) {
  int64_t heads = checked(c, "num_attention_heads", c.i("num_attention_heads", 10));
  int64_t kv = checked(c, "num_key_value_heads", c.i("num_key_value_heads", heads));
  int64_t head_dim = checked(c, "head_dim", c.i("head_dim", h / heads));
  int64_t inter = c.i("intermediate_size", 3 * h) / 2;
  auto attn = qkvo_attention("RecurrentGemmaAttention", {h, heads, kv, head_dim, c.b("attention_bias", false), true});
  // The default RoPE init ignores partial_rotary_factor: inv_freq spans the whole head_dim.
  attn->add("rotary_emb", rotary("RecurrentGemmaRotaryEmbedding", head_dim));
  auto layer = [&](ModulePtr temporal) {
    auto l = make("RecurrentGemmaDecoderLayer");
    l->add("temporal_pre_norm", rms_norm("RecurrentGemmaRMSNorm", h));
    l->add("temporal_block", temporal);
    l->add("channel_pre_norm", rms_norm("RecurrentGemmaRMSNorm", h));
    auto mlp = gated_mlp("RecurrentGemmaMlp", h, inter, true, act_class(c.s("hidden_activation", "gelu_pytorch_tanh")));
    l->add("mlp_block", mlp);
    return l;
  };
  auto rec = layer(recurrent_block(c, h, heads)), att = layer(attn);
  auto types = c.strings("block_types");
  if (types.empty()) types = {"recurrent", "recurrent", "attention"};
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < checked_count(c.i("num_hidden_layers", 26)); ++i)
    layers.push_back(types[i % types.size()] == "attention" ? att : rec);
  auto m = make("RecurrentGemmaModel");
  m->add("embed_tokens", embedding(vocab, h));
  m->add("layers", module_list(std::move(layers)));
  m->add("final_norm", rms_norm("RecurrentGemmaRMSNorm", h));
  m->buffer("normalizer", {}, DType::BF16, false);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t h = c.i("hidden_size", 2560), vocab = c.i("vocab_size", 256000);
  return heads::base_or_causal_lm(cls, "RecurrentGemmaModel", "RecurrentGemmaForCausalLM",
                                  recurrent_gemma_model(c, h, vocab), h, vocab, heads::ties_embeddings(c),
                                  {"RecurrentGemmaDecoderLayer"});
}

MEMFIT_FAMILY({"recurrent_gemma"}, "RecurrentGemma", build);

}  // namespace
}  // namespace memfit
