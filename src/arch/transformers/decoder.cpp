#include "arch/transformers/decoder.h"

#include <set>

#include <fmt/format.h>

#include "arch/transformers/heads.h"

namespace memfit {
using namespace blocks;

DecoderSpec read_decoder(const Config& c, std::string prefix, bool tie_default) {
  DecoderSpec s;
  s.prefix = std::move(prefix);
  s.vocab = c.i("vocab_size");
  s.hidden = c.i_any({"hidden_size", "n_embd", "d_model"});
  s.layers = c.i_any({"num_hidden_layers", "n_layer", "num_layers"});
  s.heads = c.i_any({"num_attention_heads", "n_head"});
  if (s.heads <= 0) c.missing("num_attention_heads");
  s.kv_heads = c.i("num_key_value_heads", s.heads);
  // transformers divides num_attention_heads by it (ZeroDivisionError) and sizes k/v by it (negative: an error).
  if (s.kv_heads <= 0)
    throw ConfigError(fmt::format("config key `num_key_value_heads` is {}; it must be at least 1 (model_type `{}`)",
                                  s.kv_heads, c.model_type()));
  s.head_dim = c.i("head_dim", s.hidden / s.heads);
  s.inter = c.i_any({"intermediate_size", "n_inner", "ffn_hidden_size"});
  s.act = c.s("hidden_act", "silu");
  s.tie_embeddings = heads::ties_embeddings(c, tie_default);
  s.num_labels = heads::num_labels(c);
  return s;
}

double rope_fraction(const Config& c, double def, std::string_view key) {
  // A non-empty rope_scaling replaces rope_parameters (the legacy name wins, as in convert_rope_params_to_dict).
  double f = def;
  bool found = false;
  for (const char* dict : {"rope_scaling", "rope_parameters"}) {
    auto j = c.raw().find(dict);
    if (j == c.raw().end() || !j->is_object()) continue;
    Config r = c.sub(dict);
    if (r.raw().empty()) continue;
    if (r.has("partial_rotary_factor")) f = r.f("partial_rotary_factor", def), found = true;
    break;
  }
  if (!found) f = c.f(key, def);
  if (!(f >= 0.0 && f <= 1.0))
    throw ConfigError(fmt::format("partial_rotary_factor {} is not in [0, 1] (model_type `{}`)", f, c.model_type()));
  return f;
}

int64_t rope_dim(int64_t head_dim, double fraction) {
  auto dim = static_cast<int64_t>(static_cast<double>(head_dim) * fraction);
  return (dim + 1) / 2 * 2;
}

int64_t checked(const Config& c, std::string_view key, int64_t v, int64_t max) {
  if (v < 1 || v > max)
    throw ConfigError(fmt::format("config key `{}` = {} is out of range (model_type `{}`)", key, v, c.model_type()));
  return v;
}

ModulePtr decoder_norm(const DecoderSpec& s, int64_t dim) {
  return s.norm ? s.norm(dim) : rms_norm(s.prefix + "RMSNorm", dim);
}

ModulePtr decoder_attention(const DecoderSpec& s) {
  auto a = qkvo_attention(s.prefix + "Attention", {s.hidden, s.heads, s.kv_heads, s.head_dim, s.qkv_bias, s.o_bias});
  if (s.qk_norm) {
    a->add("q_norm", rms_norm(s.prefix + "RMSNorm", s.head_dim));
    a->add("k_norm", rms_norm(s.prefix + "RMSNorm", s.head_dim));
  }
  return a;
}

ModulePtr decoder_mlp(const DecoderSpec& s) {
  return gated_mlp(s.prefix + "MLP", s.hidden, s.inter, s.mlp_bias, act_class(s.act));
}

ModulePtr decoder_layer(const DecoderSpec& s) {
  auto l = make(s.prefix + "DecoderLayer");
  l->add("self_attn", s.attention ? s.attention() : decoder_attention(s));
  l->add("mlp", s.mlp ? s.mlp() : decoder_mlp(s));
  if (s.layer_norms.empty()) {
    l->add("input_layernorm", decoder_norm(s, s.hidden));
    l->add("post_attention_layernorm", decoder_norm(s, s.hidden));
  }
  for (const auto& n : s.layer_norms) l->add(n, decoder_norm(s, s.hidden));
  return l;
}

ModulePtr decoder_model(const DecoderSpec& s) {
  auto m = make(s.prefix + "Model");
  if (s.embed_scale) {
    auto e = m->add("embed_tokens", embedding(s.vocab, s.hidden, s.prefix + "TextScaledWordEmbedding"));
    e->buffer("embed_scale", {}, DType::F32, false);
  } else {
    m->add("embed_tokens", embedding(s.vocab, s.hidden));
  }
  if (s.layer) {
    std::vector<ModulePtr> ls;
    for (int64_t i = 0; i < checked_count(s.layers); ++i) ls.push_back(s.layer(i));
    m->add("layers", module_list(std::move(ls)));
  } else {
    m->add("layers", repeat(decoder_layer(s), s.layers));
  }
  m->add("norm", decoder_norm(s, s.hidden));
  if (s.rotary_emb)
    m->add("rotary_emb", s.rotary_emb());
  else
    m->add("rotary_emb", rotary(s.prefix + "RotaryEmbedding", s.rotary_dim ? s.rotary_dim : s.head_dim));
  return m;
}

ModulePtr rotary_per_layer_type(const Config& c, const std::string& cls, int64_t head_dim,
                                const std::vector<std::string>& types) {
  auto r = make(cls);
  const Json& raw = c.raw();
  const Json* rp = raw.contains("rope_parameters") && raw["rope_parameters"].is_object() ? &raw["rope_parameters"] : nullptr;
  for (const std::string& t : std::set<std::string>(types.begin(), types.end())) {
    double f = 1.0;
    if (rp && rp->contains(t) && (*rp)[t].is_object() && (*rp)[t].contains("partial_rotary_factor") &&
        (*rp)[t]["partial_rotary_factor"].is_number())
      f = (*rp)[t]["partial_rotary_factor"].get<double>();
    const int64_t half = rope_dim(head_dim, f) / 2;
    r->buffer(t + "_inv_freq", {half}, DType::F32, false);
    r->buffer(t + "_original_inv_freq", {half}, DType::F32, false);
  }
  return r;
}

Model decoder_for(const DecoderSpec& s, std::string_view cls) {
  std::vector<std::string> no_split{s.prefix + "DecoderLayer"};
  if (cls == s.prefix + "Model") return {decoder_model(s), no_split};
  if (cls == s.prefix + "ForCausalLM") {
    auto root = make(std::string(cls));
    root->add("model", decoder_model(s));
    root->add("lm_head", heads::lm_head(s.hidden, s.vocab, s.tie_embeddings, "model.embed_tokens.weight"));
    return {root, no_split};
  }
  if (cls == s.prefix + "ForSequenceClassification") {
    auto root = make(std::string(cls));
    root->add("model", decoder_model(s));
    root->add("score", linear(s.hidden, s.num_labels, false));
    return {root, no_split};
  }
  heads::unsupported(cls);
}

}  // namespace memfit
