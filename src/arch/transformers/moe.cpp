#include "arch/transformers/moe.h"

#include <fmt/format.h>

#include <cmath>

namespace memfit::moe {
using namespace blocks;

int64_t dim(const Config& c, std::string_view key, int64_t v, int64_t lo, int64_t hi) {
  if (v < lo || v > hi)
    throw ConfigError(fmt::format("config key `{}` = {} is out of range [{}, {}] (model_type `{}`)", key, v, lo, hi,
                                  c.model_type()));
  return v;
}

int64_t count(const Config& c, std::initializer_list<std::string_view> keys, int64_t def, int64_t lo) {
  for (auto k : keys)
    if (auto v = c.opt_i(k)) return dim(c, k, *v, lo);
  return def;
}

int64_t experts_count(const Config& c, std::initializer_list<std::string_view> keys, int64_t def) {
  for (auto k : keys)
    if (auto v = c.opt_i(k)) return dim(c, k, *v, 0, 65536);
  return def;
}

DecoderSpec read(const Config& c, std::string prefix, bool tie_default) {
  for (auto k : {"num_attention_heads", "n_head"})
    if (auto v = c.opt_i(k)) dim(c, k, *v);
  DecoderSpec s = read_decoder(c, std::move(prefix), tie_default);
  check(c, s);
  return s;
}

void check(const Config& c, const DecoderSpec& s) {
  dim(c, "vocab_size", s.vocab);
  dim(c, "hidden_size", s.hidden);
  checked_count(s.layers);
  dim(c, "num_attention_heads", s.heads);
  dim(c, "num_key_value_heads", s.kv_heads);
  dim(c, "head_dim", s.head_dim);
  dim(c, "intermediate_size", s.inter, 0);
}

ModulePtr experts(const std::string& cls, int64_t num_experts, int64_t hidden, int64_t inter,
                  const std::string& act_cls) {
  auto m = make(cls);
  m->param("gate_up_proj", {num_experts, 2 * inter, hidden});
  m->param("down_proj", {num_experts, hidden, inter});
  m->add("act_fn", leaf(act_cls));
  return m;
}

ModulePtr router(const std::string& cls, int64_t num_experts, int64_t hidden, bool correction_bias) {
  auto m = make(cls);
  m->param("weight", {num_experts, hidden});
  if (correction_bias) m->buffer("e_score_correction_bias", {num_experts}, DType::F32);
  return m;
}

ModulePtr qwen2_block(const std::string& prefix, int64_t num_experts, int64_t hidden, int64_t inter,
                      int64_t shared_inter, const std::string& act_cls) {
  auto b = make(prefix + "SparseMoeBlock");
  b->add("gate", router(prefix + "TopKRouter", num_experts, hidden));
  b->add("experts", experts(prefix + "Experts", num_experts, hidden, inter, act_cls));
  b->add("shared_expert", gated_mlp(prefix + "MLP", hidden, shared_inter, false, act_cls));
  b->add("shared_expert_gate", linear(hidden, 1, false));
  return b;
}

std::vector<bool> sparse_layers(const Config& c, int64_t layers, int64_t first_dense) {
  std::vector<std::string> types = c.strings("mlp_layer_types");
  std::vector<bool> out(checked_count(layers));
  if (types.empty()) {
    first_dense = count(c, {"first_k_dense_replace"}, first_dense, 0);
    for (int64_t i = 0; i < layers; ++i) out[i] = i >= first_dense;
    return out;
  }
  if (static_cast<int64_t>(types.size()) != layers)
    throw ConfigError(fmt::format("`mlp_layer_types` lists {} layers, not {} (model_type `{}`)", types.size(), layers,
                                  c.model_type()));
  for (int64_t i = 0; i < layers; ++i) out[i] = types[i] == "sparse";
  return out;
}

ModulePtr shared_block(const SharedMoe& m) {
  auto b = make(m.block_cls);
  b->add("experts", experts(m.experts_cls, m.num_experts, m.hidden, m.inter, m.act_cls));
  b->add("gate", router(m.router_cls, m.num_experts, m.hidden, m.correction_bias));
  b->add("shared_experts", gated_mlp(m.mlp_cls, m.hidden, m.inter * m.n_shared, m.mlp_bias, m.act_cls));
  return b;
}

int64_t rotary_dim(const Config& c, int64_t head_dim, double def) {
  double f = c.f("partial_rotary_factor", def);
  if (auto rp = c.opt_sub("rope_parameters")) f = rp->f("partial_rotary_factor", f);
  if (!(f > 0.0 && f <= 1.0)) throw ConfigError("config key `partial_rotary_factor` must lie in (0, 1]");
  // int(head_dim * f) may be odd (glm4_moe's default: int(42 * 0.5) = 21): RoPE's arange(0, dim, 2) then has
  // ceil(dim / 2) entries, which rope_dim's round-up to even gives.
  return rope_dim(head_dim, f);
}

CheckpointMapping split_experts(ExpertNames names, CheckpointMapping rename) {
  return [names = std::move(names), rename = std::move(rename)](const std::string& name, const Tensor& t) {
    std::vector<CheckpointTensor> out;
    auto emit = [&](std::string n, std::vector<int64_t> shape) {
      Tensor piece{std::move(shape), t.dtype, true, {}};
      if (!rename) {
        out.push_back({std::move(n), piece.shape, t.dtype});
        return;
      }
      for (auto& r : rename(n, piece)) out.push_back(std::move(r));
    };
    static const std::string gate_up = "experts.gate_up_proj", down = "experts.down_proj";
    bool is_gu = name.ends_with(gate_up) && (name.size() == gate_up.size() || name[name.size() - gate_up.size() - 1] == '.');
    bool is_d = name.ends_with(down) && (name.size() == down.size() || name[name.size() - down.size() - 1] == '.');
    if ((is_gu || is_d) && t.shape.size() == 3) {
      std::string prefix = name.substr(0, name.size() - (is_gu ? gate_up.size() : down.size())) + "experts.";
      int64_t e_count = t.shape[0];
      for (int64_t e = 0; e < e_count; ++e) {
        std::string p = prefix + std::to_string(e) + ".";
        if (is_gu) {
          emit(p + names.gate + ".weight", {t.shape[1] / 2, t.shape[2]});
          emit(p + names.up + ".weight", {t.shape[1] / 2, t.shape[2]});
        } else {
          emit(p + names.down + ".weight", {t.shape[1], t.shape[2]});
        }
      }
      return out;
    }
    emit(name, t.shape);
    return out;
  };
}

ModulePtr layer(const DecoderSpec& s, ModulePtr attn, ModulePtr mlp) {
  auto l = make(s.prefix + "DecoderLayer");
  l->add("self_attn", std::move(attn));
  l->add("mlp", std::move(mlp));
  l->add("input_layernorm", rms_norm(s.prefix + "RMSNorm", s.hidden));
  l->add("post_attention_layernorm", rms_norm(s.prefix + "RMSNorm", s.hidden));
  return l;
}

Model decoder(DecoderSpec s, std::string_view cls, std::function<ModulePtr(int64_t)> pick) {
  s.layer = std::move(pick);
  return decoder_for(s, cls);
}

}  // namespace memfit::moe
