#include "fit/kv_cache.h"

#include <fmt/format.h>

#include <algorithm>

namespace memfit {

namespace {

constexpr int64_t kMaxLayers = 1 << 14;
constexpr int64_t kMaxDim = 1 << 24;

const Json* find_any(const Json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (auto it = j.find(k); it != j.end() && !it->is_null()) return &*it;
  return nullptr;
}

}  // namespace

int64_t config_int(const Json& j, std::initializer_list<const char*> keys, int64_t def) {
  const Json* v = find_any(j, keys);
  if (!v) return def;
  if (v->is_number_integer() || v->is_number_unsigned()) return v->get<int64_t>();
  if (v->is_number_float()) return static_cast<int64_t>(v->get<double>());
  return def;
}

const Json& language_config(const Json& c) {
  for (const char* k : {"text_config", "language_config", "llm_config", "thinker_config"})
    if (auto it = c.find(k); it != c.end() && it->is_object()) {
      if (it->contains("text_config") && (*it)["text_config"].is_object()) return (*it)["text_config"];
      return *it;
    }
  return c;
}

namespace {

KvLayer::Kind kind_of(std::string_view t) {
  if (t == "sliding_attention" || t == "sliding" || t == "local" || t == "chunked_attention" ||
      t == "local_attention")
    return KvLayer::Kind::Sliding;
  if (t == "linear_attention" || t == "mamba" || t == "conv" || t == "recurrent" || t == "ssm" ||
      t == "gated_deltanet" || t == "mamba2")
    return KvLayer::Kind::Recurrent;
  if (t == "mlp" || t == "moe" || t == "none") return KvLayer::Kind::None;
  return KvLayer::Kind::Full;
}

bool ok_dim(int64_t v) { return v >= 0 && v <= kMaxDim; }

// Recurrent state per sequence: conv state in 16-bit, SSM / delta-rule state in fp32 (as vLLM and transformers
// keep them by default).
uint64_t recurrent_state(const Json& t, int64_t hidden) {
  if (find_any(t, {"linear_num_value_heads"})) {  // Qwen3-Next / Qwen3.5 gated delta-net
    int64_t kh = config_int(t, {"linear_num_key_heads"}, 16), vh = config_int(t, {"linear_num_value_heads"}, 32);
    int64_t kd = config_int(t, {"linear_key_head_dim"}, 128), vd = config_int(t, {"linear_value_head_dim"}, 128);
    int64_t k = config_int(t, {"linear_conv_kernel_dim"}, 4);
    uint64_t conv = uint64_t(k - 1) * uint64_t(2 * kh * kd + vh * vd) * 2;
    return conv + uint64_t(vh) * uint64_t(kd) * uint64_t(vd) * 4;
  }
  if (find_any(t, {"conv_L_cache"})) return uint64_t(config_int(t, {"conv_L_cache"}, 3)) * uint64_t(hidden) * 2;  // LFM2
  int64_t d_state = config_int(t, {"mamba_d_state", "ssm_state_size", "state_size", "d_state"}, 16);
  int64_t d_conv = config_int(t, {"mamba_d_conv", "conv_kernel", "d_conv"}, 4);
  int64_t expand = config_int(t, {"mamba_expand", "expand"}, 2);
  int64_t d_inner = config_int(t, {"mamba_d_inner", "d_inner"}, 0);
  int64_t m_heads = config_int(t, {"mamba_num_heads"}, 0), m_hd = config_int(t, {"mamba_head_dim"}, 0);
  if (m_heads > 0 && m_hd > 0) d_inner = m_heads * m_hd;
  if (d_inner <= 0) d_inner = expand * hidden;
  int64_t groups = config_int(t, {"n_groups", "mamba_n_groups"}, 0);
  uint64_t conv = uint64_t(d_conv - 1) * uint64_t(d_inner + 2 * groups * d_state) * 2;
  return conv + uint64_t(d_inner) * uint64_t(d_state) * 4;
}

}  // namespace

Result<KvLayout> kv_layout_from_config(const Json& config) {
  if (!config.is_object()) return fail(ErrorKind::BadInput, "config is not a JSON object");
  const Json& t = language_config(config);
  std::string mt = t.value("model_type", config.value("model_type", std::string()));
  KvLayout l;
  bool enc_dec = config.value("is_encoder_decoder", false) || t.value("is_encoder_decoder", false);
  int64_t n = enc_dec ? config_int(t, {"num_decoder_layers", "decoder_layers", "num_layers", "num_hidden_layers"}, 0)
                      : config_int(t, {"num_hidden_layers", "n_layer", "num_layers", "n_layers"}, 0);
  int64_t hidden = config_int(t, {"hidden_size", "n_embd", "d_model", "dim"}, 0);
  int64_t heads = enc_dec ? config_int(t, {"decoder_attention_heads", "num_heads", "num_attention_heads"}, 0)
                          : config_int(t, {"num_attention_heads", "n_head", "num_heads", "n_heads"}, 0);
  if (n <= 0 || n > kMaxLayers) return fail(ErrorKind::BadInput, fmt::format("config: layer count {} out of range", n));
  if (heads <= 0 || !ok_dim(heads) || !ok_dim(hidden))
    return fail(ErrorKind::BadInput, "config: attention heads / hidden size missing or out of range");
  l.attention_heads = heads;
  int64_t head_dim = config_int(t, {"head_dim", "d_kv", "kv_channels", "attention_head_size"}, hidden / heads);
  std::vector<int64_t> kv_per_layer;
  int64_t kv = heads;
  if (const Json* v = find_any(t, {"num_key_value_heads", "num_kv_heads", "multi_query_group_num", "n_head_kv"})) {
    if (v->is_array()) {
      for (const auto& x : *v) kv_per_layer.push_back(x.is_number() ? x.get<int64_t>() : 0);
    } else if (v->is_number()) {
      kv = v->get<int64_t>();
    }
  } else if (t.value("multi_query", false)) {
    kv = 1;
  }
  if (!ok_dim(kv) || !ok_dim(head_dim) || head_dim <= 0)
    return fail(ErrorKind::BadInput, "config: KV heads / head_dim out of range");

  // Per-layer kind.
  std::vector<KvLayer::Kind> kinds(size_t(n), KvLayer::Kind::Full);
  int64_t window = config_int(t, {"sliding_window", "attention_window_size", "attention_chunk_size"}, 0);
  auto lt = t.find("layer_types");
  if (lt != t.end() && lt->is_array() && int64_t(lt->size()) >= n) {
    for (int64_t i = 0; i < n; ++i)
      if ((*lt)[size_t(i)].is_string()) kinds[size_t(i)] = kind_of((*lt)[size_t(i)].get<std::string>());
    l.notes.push_back("layer kinds from the config's layer_types");
  } else if (auto p = t.find("hybrid_override_pattern"); p != t.end() && p->is_string()) {
    std::string s = p->get<std::string>();
    for (int64_t i = 0; i < n && size_t(i) < s.size(); ++i)
      kinds[size_t(i)] = s[size_t(i)] == '*' ? KvLayer::Kind::Full
                         : s[size_t(i)] == 'M' ? KvLayer::Kind::Recurrent
                                               : KvLayer::Kind::None;
    l.notes.push_back("layer kinds from hybrid_override_pattern");
  } else if (auto fa = t.find("full_attn_idxs"); fa != t.end() && fa->is_array()) {  // LFM2: the rest are convs
    for (auto& k : kinds) k = KvLayer::Kind::Recurrent;
    for (const auto& x : *fa)
      if (x.is_number_integer() && x.get<int64_t>() >= 0 && x.get<int64_t>() < n) kinds[size_t(x.get<int64_t>())] = KvLayer::Kind::Full;
  } else if (find_any(t, {"attn_layer_period"})) {  // Jamba
    int64_t period = std::max<int64_t>(1, config_int(t, {"attn_layer_period"}, 8));
    int64_t offset = config_int(t, {"attn_layer_offset"}, 4);
    for (int64_t i = 0; i < n; ++i)
      kinds[size_t(i)] = i % period == offset ? KvLayer::Kind::Full : KvLayer::Kind::Recurrent;
  } else if (find_any(t, {"full_attention_interval"})) {  // Qwen3-Next
    int64_t every = std::max<int64_t>(1, config_int(t, {"full_attention_interval"}, 4));
    for (int64_t i = 0; i < n; ++i)
      kinds[size_t(i)] = (i + 1) % every == 0 ? KvLayer::Kind::Full : KvLayer::Kind::Recurrent;
  } else if (window > 0 && mt == "gemma2") {
    for (int64_t i = 0; i < n; ++i) kinds[size_t(i)] = i % 2 == 0 ? KvLayer::Kind::Sliding : KvLayer::Kind::Full;
  } else if (window > 0 && (mt.starts_with("gemma3") || mt == "cohere2" || find_any(t, {"sliding_window_pattern"}))) {
    int64_t pattern = config_int(t, {"sliding_window_pattern"}, mt == "cohere2" ? 4 : 6);
    pattern = std::max<int64_t>(1, pattern);
    for (int64_t i = 0; i < n; ++i)
      kinds[size_t(i)] = (i + 1) % pattern == 0 ? KvLayer::Kind::Full : KvLayer::Kind::Sliding;
  } else if (window > 0 && t.value("use_sliding_window", true) && !mt.starts_with("qwen")) {
    for (auto& k : kinds) k = KvLayer::Kind::Sliding;
    l.notes.push_back(fmt::format("every layer attends over a sliding window of {} tokens", window));
  }
  int64_t shared = config_int(t, {"num_kv_shared_layers"}, 0);
  for (int64_t i = std::max<int64_t>(0, n - shared); i < n; ++i) kinds[size_t(i)] = KvLayer::Kind::Shared;

  int64_t kv_lora = config_int(t, {"kv_lora_rank"}, 0);
  uint64_t state = recurrent_state(t, hidden);
  for (int64_t i = 0; i < n; ++i) {
    KvLayer x;
    x.kind = kinds[size_t(i)];
    x.kv_heads = size_t(i) < kv_per_layer.size() ? kv_per_layer[size_t(i)] : kv;
    if (x.kind != KvLayer::Kind::Recurrent && x.kind != KvLayer::Kind::None && x.kv_heads == 0)
      x.kind = KvLayer::Kind::None;  // per-layer arrays: 0 KV heads = no attention in this layer
    x.k_dim = x.v_dim = head_dim;
    if (auto v = config_int(t, {"v_head_dim"}, 0); v > 0 && kv_lora == 0) x.v_dim = v;
    x.window = x.kind == KvLayer::Kind::Sliding ? window : 0;
    if (x.kind == KvLayer::Kind::Sliding && window <= 0) x.kind = KvLayer::Kind::Full;
    if (kv_lora > 0 && (x.kind == KvLayer::Kind::Full || x.kind == KvLayer::Kind::Sliding)) {
      int64_t rope = config_int(t, {"qk_rope_head_dim"}, 64), nope = config_int(t, {"qk_nope_head_dim"}, 128);
      x.kind = KvLayer::Kind::Mla;
      x.kv_heads = 1;
      x.k_dim = kv_lora + rope;
      x.v_dim = 0;
      x.mla_heads = heads;
      x.mla_k_dim = nope + rope;
      x.mla_v_dim = config_int(t, {"v_head_dim"}, 128);
    }
    if (x.kind == KvLayer::Kind::Recurrent) x.state_bytes = state;
    l.layers.push_back(x);
  }
  if (kv_lora > 0) l.notes.push_back(fmt::format("MLA: one latent of {} values per token per layer", l.layers[0].k_dim));
  if (enc_dec) l.cross_layers = n;
  return l;
}

int64_t gguf_hp_int(const Json& hp, const char* k) {
  auto it = hp.find(k);
  if (it == hp.end()) return 0;
  if (it->is_number()) return it->get<int64_t>();
  if (it->is_array() && !it->empty() && (*it)[0].is_number()) return (*it)[0].get<int64_t>();
  return 0;
}

Result<KvLayout> kv_layout_from_gguf(const Json& hp, std::string_view arch) {
  auto get = [&](const char* k, int64_t def) -> int64_t { return hp.contains(k) ? gguf_hp_int(hp, k) : def; };
  int64_t n = get("block_count", 0), heads = get("head_count", 0), embd = get("embedding_length", 0);
  if (n <= 0 || n > kMaxLayers || heads <= 0 || !ok_dim(heads) || !ok_dim(embd))
    return fail(ErrorKind::BadInput, "GGUF: block_count / head_count / embedding_length missing or out of range");
  KvLayout l;
  l.attention_heads = heads;
  int64_t k = get("key_length", embd / heads), v = get("value_length", embd / heads);
  int64_t window = get("sliding_window", 0);
  auto kvit = hp.find("head_count_kv");
  for (int64_t i = 0; i < n; ++i) {
    KvLayer x;
    x.kv_heads = heads;
    if (kvit != hp.end() && kvit->is_number()) x.kv_heads = kvit->get<int64_t>();
    if (kvit != hp.end() && kvit->is_array() && size_t(i) < kvit->size()) x.kv_heads = (*kvit)[size_t(i)].get<int64_t>();
    x.k_dim = k;
    x.v_dim = v;
    if (x.kv_heads <= 0) x.kind = KvLayer::Kind::Recurrent;  // per-layer 0 KV heads: a recurrent / conv layer
    // llama.cpp's SWA patterns: gemma2 alternates, gemma3 has 5 local : 1 global, gpt-oss alternates (even = SWA).
    if (window > 0 && x.kind == KvLayer::Kind::Full) {
      bool swa = arch == "gemma2" || arch == "gpt-oss" || arch == "gptoss" ? i % 2 == 0
                 : arch.starts_with("gemma3") || arch == "cohere2"     ? (i + 1) % (arch == "cohere2" ? 4 : 6) != 0
                                                                         : true;
      if (swa) {
        x.kind = KvLayer::Kind::Sliding;
        x.window = window;
      }
    }
    l.layers.push_back(x);
  }
  return l;
}

Result<KvType> kv_type(std::string_view name) {
  std::string n(name);
  for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "fp16" || n == "f16" || n == "float16" || n == "bf16" || n == "bfloat16" || n == "auto")
    return KvType{n, 2, 1};
  if (n == "fp32" || n == "f32" || n == "float32") return KvType{n, 4, 1};
  if (n == "fp8" || n == "fp8_e4m3" || n == "fp8_e5m2" || n == "int8" || n == "q8") return KvType{n, 1, 1};
  if (n == "q8_0") return KvType{n, 34, 32};
  if (n == "q4_0" || n == "iq4_nl") return KvType{n, 18, 32};
  if (n == "q4_1") return KvType{n, 20, 32};
  if (n == "q5_0") return KvType{n, 22, 32};
  if (n == "q5_1") return KvType{n, 24, 32};
  return fail(ErrorKind::Usage, fmt::format("KV cache type `{}` is not one of fp32, fp16, bf16, fp8, q8_0, q5_1, q5_0, "
                                            "q4_1, q4_0, iq4_nl", name));
}

int64_t kv_heads_per_gpu(int64_t kv_heads, int tp) { return std::max<int64_t>(1, kv_heads / std::max(1, tp)); }

uint64_t layer_token_bytes(const KvLayer& x, const KvType& t, int tp, KvEngine e) {
  uint64_t elems = 0;
  switch (x.kind) {
    case KvLayer::Kind::Full:
    case KvLayer::Kind::Sliding:
      elems = uint64_t(kv_heads_per_gpu(x.kv_heads, tp)) * uint64_t(x.k_dim + x.v_dim);
      break;
    case KvLayer::Kind::Mla:
      if (e == KvEngine::Hf)
        elems = uint64_t(std::max<int64_t>(1, x.mla_heads / std::max(1, tp))) * uint64_t(x.mla_k_dim + x.mla_v_dim);
      else
        elems = uint64_t(x.k_dim);  // the latent, replicated on every TP rank
      break;
    default:
      return 0;
  }
  return elems * t.num / t.den;
}

uint64_t kv_bytes_per_token(const KvLayout& l, const KvType& t, int tp, KvEngine e) {
  uint64_t s = 0;
  for (const auto& x : l.layers)
    if (__builtin_add_overflow(s, layer_token_bytes(x, t, tp, e), &s)) return UINT64_MAX;
  return s;
}

uint64_t kv_bytes(const KvLayout& l, int64_t context, int64_t batch, const KvType& t, int tp, KvEngine e) {
  long double total = 0;  // long double: absurd dimensions saturate instead of wrapping
  for (const auto& x : l.layers) {
    long double per_token = layer_token_bytes(x, t, tp, e);
    int64_t tokens = x.kind == KvLayer::Kind::Sliding ? std::min(x.window, context) : context;
    total += per_token * (long double)tokens * (long double)batch;
    if (x.kind == KvLayer::Kind::Recurrent) total += (long double)x.state_bytes * (long double)batch;
  }
  if (l.cross_layers > 0 && !l.layers.empty())  // cross-attention K/V over an encoder output of `context` tokens
    total += (long double)l.cross_layers * layer_token_bytes(l.layers[0], t, tp, e) * (long double)context * batch;
  return total >= 18446744073709551615.0L ? UINT64_MAX : uint64_t(total);
}

}  // namespace memfit
