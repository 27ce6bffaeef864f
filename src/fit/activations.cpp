#include "fit/activations.h"

#include <algorithm>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_set>

#include "tree/measure.h"

namespace memfit {

namespace {

using u128 = unsigned __int128;
constexpr int64_t kCap = int64_t{1} << 32;  // config values beyond this are hostile; clamped so sums stay in 128 bits

uint64_t saturate(u128 x) {
  return x > std::numeric_limits<uint64_t>::max() ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(x);
}

std::optional<int64_t> int_key(const Json& j, std::initializer_list<std::string_view> keys) {
  for (auto k : keys) {
    auto it = j.find(std::string(k));
    if (it == j.end() || it->is_null() || !it->is_number()) continue;
    double v = it->get<double>();
    if (!(v >= 0)) continue;
    return std::min<int64_t>(v > static_cast<double>(kCap) ? kCap : static_cast<int64_t>(v), kCap);
  }
  return std::nullopt;
}

bool positive_key(const Json& j, std::initializer_list<std::string_view> keys) {
  for (auto k : keys) {
    auto it = j.find(std::string(k));
    if (it != j.end() && it->is_number() && it->get<double>() > 0) return true;
  }
  return false;
}

// The config object holding the language model's dimensions (text_config and friends for multimodal models).
const Json& text_part(const Json& c) {
  if (c.is_object() && !c.contains("hidden_size") && !c.contains("n_embd") && !c.contains("d_model"))
    for (const char* sub : {"text_config", "language_config", "llm_config"})
      if (auto it = c.find(sub); it != c.end() && it->is_object()) return *it;
  return c;
}

// Whether any module is an RMSNorm (repeated blocks share nodes: each node is looked at once).
bool has_rms_norm(const Module& m, std::unordered_set<const Module*>& seen) {
  if (!seen.insert(&m).second) return false;
  if (m.cls.find("RMSNorm") != std::string::npos) return true;
  for (const auto& [n, c] : m.children)
    if (c && has_rms_norm(*c, seen)) return true;
  return false;
}
bool has_rms_norm(const Module& m) {
  std::unordered_set<const Module*> seen;
  return has_rms_norm(m, seen);
}

}  // namespace

LayerShape layer_shape(const Json& config, const Model& m, const std::string& cls) {
  LayerShape s;
  static const Json kEmpty = Json::object();
  const Json& c = config.is_object() ? text_part(config) : kEmpty;
  s.hidden = int_key(c, {"hidden_size", "n_embd", "d_model", "dim"}).value_or(0);
  s.heads = std::max<int64_t>(1, int_key(c, {"num_attention_heads", "n_head", "num_heads", "encoder_attention_heads"}).value_or(1));
  s.layers = int_key(c, {"num_hidden_layers", "n_layer", "num_layers", "encoder_layers"}).value_or(0) +
             int_key(c, {"num_decoder_layers", "decoder_layers"}).value_or(0);
  s.vocab = int_key(c, {"vocab_size", "padded_vocab_size"}).value_or(0);
  int64_t head_dim = int_key(c, {"head_dim"}).value_or(s.hidden / s.heads);
  int64_t kv_heads = int_key(c, {"num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num"})
                         .value_or(c.value("multi_query", false) ? 1 : s.heads);
  if (auto rank = int_key(c, {"kv_lora_rank"}); rank && *rank > 0) {  // MLA: per-head q/k and v widths
    int64_t qk = int_key(c, {"qk_nope_head_dim"}).value_or(0) + int_key(c, {"qk_rope_head_dim"}).value_or(0);
    s.q_width = s.k_width = s.heads * qk;
    s.v_width = s.o_width = s.heads * int_key(c, {"v_head_dim"}).value_or(head_dim);
  } else {
    s.q_width = s.heads * head_dim;
    s.k_width = s.v_width = kv_heads * head_dim;
    s.o_width = s.heads * head_dim;
  }
  auto dense_ffn = int_key(c, {"intermediate_size", "n_inner", "ffn_dim", "d_ff", "ffn_hidden_size",
                               "encoder_ffn_dim"});
  s.ffn = dense_ffn.value_or(4 * s.hidden);
  bool has_experts = int_key(c, {"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"})
                         .value_or(0) > 1;
  if (has_experts) {
    s.experts_per_token = int_key(c, {"num_experts_per_tok", "moe_topk", "num_selected_experts", "moe_k"}).value_or(0);
    if (auto e = int_key(c, {"moe_intermediate_size", "expert_intermediate_size"})) s.ffn = *e;
    if (auto sh = int_key(c, {"shared_expert_intermediate_size"})) s.shared_ffn = *sh;
    else if (auto n = int_key(c, {"n_shared_experts", "num_shared_experts"})) s.shared_ffn = *n * s.ffn;
    s.dense_layers = std::min(s.layers, int_key(c, {"first_k_dense_replace"}).value_or(0));
    s.dense_ffn = dense_ffn.value_or(4 * s.hidden);
  }
  s.attention_dropout = positive_key(c, {"attention_dropout", "attn_pdrop", "attention_probs_dropout_prob"});
  s.hidden_dropout =
      positive_key(c, {"hidden_dropout", "resid_pdrop", "hidden_dropout_prob", "dropout", "dropout_rate"});
  if (m.root) {
    for_each_tensor(*m.root, [&](const TensorVisit& v) {
      const std::string& n = v.name;
      if (n.find("gate_proj") != std::string::npos || n.find("gate_up_proj") != std::string::npos ||
          n.find(".w3.") != std::string::npos || n.find(".wi_0.") != std::string::npos)
        s.gated = true;
    });
    s.rms_norm_fp32 = has_rms_norm(*m.root);
  }
  for (std::string_view suffix : {"ForCausalLM", "LMHeadModel", "ForConditionalGeneration", "ForMaskedLM",
                                  "ForPreTraining", "WithLMHead"})
    if (cls.ends_with(suffix)) s.lm_head = true;
  return s;
}

uint64_t layer_activation_bytes(const LayerShape& s, const ActivationOptions& o, bool dense) {
  const u128 e = static_cast<u128>(o.act_bytes);
  const u128 t = static_cast<u128>(std::max(1, o.tp));
  const u128 tokens = static_cast<u128>(o.batch) * static_cast<u128>(o.seq_len);
  const u128 h = static_cast<u128>(s.hidden);
  // Replicated across TP ranks: two norm inputs, the attention and MLP inputs, two residual dropout masks.
  // Norm inputs: transformers' RMSNorms upcast to fp32 and save that copy (4 B) when activations are 16-bit.
  const u128 norm_e = s.rms_norm_fp32 ? std::max<u128>(e, 4) : e;
  u128 replicated = 2 * h * norm_e + 2 * h * e + (s.hidden_dropout ? 2 * h : 0);
  // Partitioned by TP: q, k, v, the attention output, the MLP's saved intermediates.
  const u128 per_ffn = s.gated ? 4 : 2;
  u128 ffn_saved = static_cast<u128>(s.ffn) * per_ffn;
  if (dense) {
    ffn_saved = static_cast<u128>(s.dense_ffn) * per_ffn;
  } else if (s.experts_per_token > 0) {
    ffn_saved = ffn_saved * static_cast<u128>(s.experts_per_token) + static_cast<u128>(s.shared_ffn) * per_ffn;
  }
  u128 partitioned =
      (static_cast<u128>(s.q_width) + static_cast<u128>(s.k_width) + static_cast<u128>(s.v_width) +
       static_cast<u128>(s.o_width) + ffn_saved) * e;
  u128 bytes = tokens * replicated + tokens * partitioned / t;
  const u128 a = static_cast<u128>(s.heads);
  if (o.attention == "eager") {
    u128 per_score = e + (s.attention_dropout ? 1 + e : 0);  // softmax output, dropout mask and output
    bytes += a * static_cast<u128>(o.seq_len) * tokens * per_score / t;
  } else {
    bytes += a * tokens * 4 / t;  // fp32 log-sum-exp per head and token, kept by fused attention for backward
  }
  return saturate(bytes);
}

uint64_t activation_bytes(const LayerShape& s, const ActivationOptions& o) {
  u128 layer = layer_activation_bytes(s, o);
  u128 dense = s.dense_layers > 0 ? layer_activation_bytes(s, o, true) : 0;
  u128 L = static_cast<u128>(s.layers);
  if (!o.checkpointing) return saturate((L - static_cast<u128>(s.dense_layers)) * layer +
                                        static_cast<u128>(s.dense_layers) * dense);
  layer = std::max(layer, dense);
  u128 inputs = static_cast<u128>(o.batch) * static_cast<u128>(o.seq_len) * static_cast<u128>(s.hidden) *
                static_cast<u128>(o.act_bytes);
  return saturate(L * inputs + layer);
}

uint64_t logits_bytes(const LayerShape& s, const ActivationOptions& o) {
  if (!s.lm_head) return 0;
  u128 tokens_vocab = static_cast<u128>(o.batch) * static_cast<u128>(o.seq_len) * static_cast<u128>(s.vocab);
  u128 per = 4 + 4 + 4 + (o.act_bytes == 2 ? 2 : 4);
  return saturate(tokens_vocab * per / static_cast<u128>(std::max(1, o.tp)));
}

}  // namespace memfit
