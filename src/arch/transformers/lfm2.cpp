// LFM2: transformers' modeling_lfm2.py. Decoder layers that are either attention (q/k/v/out_proj with per-head
// q_layernorm/k_layernorm) or a gated short convolution (conv, in_proj, out_proj), each with a w1/w3/w2 SwiGLU MLP.
#include <algorithm>
#include <cmath>

#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Lfm2MLP's width: 2/3 of intermediate_size, times block_ffn_dim_multiplier, rounded up to block_multiple_of.
int64_t ff_dim(const Config& c) {
  int64_t inter = moe::count(c, {"block_ff_dim", "intermediate_size"}, 12288);
  if (!c.b("block_auto_adjust_ff_dim", true)) return inter;
  inter = static_cast<int64_t>(2.0 * static_cast<double>(inter) / 3.0);
  if (c.has("block_ffn_dim_multiplier")) {
    int64_t multiple = moe::count(c, {"block_multiple_of"}, 256);
    inter = static_cast<int64_t>(c.f("block_ffn_dim_multiplier", 1.0) * static_cast<double>(inter));
    inter = multiple * ((inter + multiple - 1) / multiple);
  }
  return moe::dim(c, "intermediate_size", inter);
}

ModulePtr lfm2_model(const Config& c) {
  DecoderSpec s;
  s.vocab = moe::count(c, {"vocab_size"}, 65536);
  s.hidden = moe::count(c, {"hidden_size"}, 2560);
  s.layers = moe::count(c, {"num_hidden_layers"}, 32);
  s.heads = moe::count(c, {"num_attention_heads", "num_heads"}, 32);
  s.kv_heads = moe::count(c, {"num_key_value_heads"}, 8);
  s.head_dim = moe::count(c, {"head_dim"}, s.hidden / s.heads);
  moe::check(c, s);
  int64_t h = s.hidden, kernel = moe::count(c, {"conv_L_cache"}, 3);
  bool conv_bias = c.b("conv_bias", false);

  std::vector<std::string> types = c.strings("layer_types");
  if (types.empty()) {
    std::vector<int64_t> full = c.has("full_attn_idxs") ? c.ints("full_attn_idxs") : std::vector<int64_t>{};
    for (int64_t i = 0; i < s.layers; ++i)
      types.push_back(!c.has("full_attn_idxs") || std::count(full.begin(), full.end(), i) ? "full_attention" : "conv");
  }
  if (static_cast<int64_t>(types.size()) < s.layers) throw ConfigError("config key `layer_types` is too short");

  auto mlp = make("Lfm2MLP");
  int64_t ff = ff_dim(c);
  mlp->add("w1", linear(h, ff, false));
  mlp->add("w3", linear(h, ff, false));
  mlp->add("w2", linear(ff, h, false));
  auto attn = make("Lfm2Attention");
  attn->add("q_proj", linear(h, s.heads * s.head_dim, false));
  attn->add("k_proj", linear(h, s.kv_heads * s.head_dim, false));
  attn->add("v_proj", linear(h, s.kv_heads * s.head_dim, false));
  attn->add("out_proj", linear(s.heads * s.head_dim, h, false));
  attn->add("q_layernorm", rms_norm("Lfm2RMSNorm", s.head_dim));
  attn->add("k_layernorm", rms_norm("Lfm2RMSNorm", s.head_dim));
  auto conv = make("Lfm2ShortConv");
  conv->add("conv", ssm::depthwise_conv1d(h, kernel, conv_bias));
  conv->add("in_proj", linear(h, 3 * h, conv_bias));
  conv->add("out_proj", linear(h, h, conv_bias));
  ModulePtr kinds[2];
  for (int is_attn = 0; is_attn < 2; ++is_attn) {
    auto l = make("Lfm2DecoderLayer");
    l->add(is_attn ? "self_attn" : "conv", is_attn ? attn : conv);
    l->add("feed_forward", mlp);
    l->add("operator_norm", rms_norm("Lfm2RMSNorm", h));
    l->add("ffn_norm", rms_norm("Lfm2RMSNorm", h));
    kinds[is_attn] = l;
  }
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < s.layers; ++i) ls.push_back(kinds[types[i] == "full_attention"]);

  auto m = make("Lfm2Model");
  m->add("embed_tokens", embedding(s.vocab, h));
  m->add("layers", module_list(std::move(ls)));
  m->add("rotary_emb", rotary("Lfm2RotaryEmbedding", moe::rotary_dim(c, s.head_dim)));
  m->add("embedding_norm", rms_norm("Lfm2RMSNorm", h));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"Lfm2DecoderLayer"};
  if (cls == "Lfm2Model") return {lfm2_model(c), no_split};
  if (cls != "Lfm2ForCausalLM") heads::unsupported(cls);
  auto root = make("Lfm2ForCausalLM");
  root->add("model", lfm2_model(c));
  bool tied = c.b("tie_embedding", heads::ties_embeddings(c, true));
  root->add("lm_head", heads::lm_head(c.i("hidden_size", 2560), c.i("vocab_size", 65536), tied,
                                      "model.embed_tokens.weight"));
  return {root, no_split};
}

MEMFIT_FAMILY({"lfm2"}, "Lfm2", build);

}  // namespace
}  // namespace memfit
