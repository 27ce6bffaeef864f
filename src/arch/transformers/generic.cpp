// The safe answer for an unknown decoder-only architecture: when the config has the standard decoder keys (under
// their common aliases), estimate it as a Llama-shaped decoder and say exactly what was assumed. Like accelerate's
// AutoModel it builds the base model (no lm_head); the task model (--task-model) adds the lm_head.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {

namespace {
std::optional<int64_t> first(const Config& c, std::initializer_list<std::string_view> keys, std::string* used) {
  for (auto k : keys)
    if (auto v = c.opt_i(k)) {
      *used = std::string(k);
      return v;
    }
  return std::nullopt;
}

// The first of `keys` the config sets to a boolean, with its name.
std::optional<std::pair<std::string, bool>> flag(const Config& c, std::initializer_list<std::string_view> keys) {
  for (auto k : keys)
    if (c.has(k) && c.raw()[k].is_boolean()) return std::pair{std::string(k), c.raw()[k].get<bool>()};
  return std::nullopt;
}
}  // namespace

Result<BuiltModel> build_generic_decoder(const Json& config, const std::string& model_type, Target target) {
  Config c(config, model_type);
  std::vector<std::string> notes, missing;
  std::string key;
  auto need = [&](std::initializer_list<std::string_view> keys) {
    auto v = first(c, keys, &key);
    if (!v || *v <= 0) missing.push_back(std::string(*keys.begin()));
    return v.value_or(0);
  };
  try {
    DecoderSpec s;
    s.prefix = "Generic";
    s.vocab = need({"vocab_size", "padded_vocab_size", "n_vocab"});
    s.hidden = need({"hidden_size", "n_embd", "d_model", "dim", "model_dim"});
    s.layers = need({"num_hidden_layers", "n_layer", "num_layers", "n_layers"});
    s.heads = need({"num_attention_heads", "n_head", "num_heads", "n_heads"});
    if (!missing.empty())
      return fail(ErrorKind::Unsupported,
                  fmt::format("An approximate estimate needs the standard decoder keys; the config lacks: {}",
                              fmt::join(missing, ", ")));
    if (auto kv = first(c, {"num_key_value_heads", "n_head_kv", "num_kv_heads", "n_kv_heads"}, &key)) {
      s.kv_heads = *kv;
    } else if (c.b("multi_query", false)) {
      s.kv_heads = 1;
      notes.push_back("multi_query: one key/value head");
    } else {
      s.kv_heads = s.heads;
      notes.push_back("no key/value head count: full multi-head attention assumed");
    }
    s.head_dim = c.i("head_dim", s.hidden / s.heads);
    if (auto inter = first(c, {"intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim", "d_ff"}, &key)) {
      s.inter = *inter;
      notes.push_back(fmt::format("MLP: gated (gate/up/down) of width {} from `{}`", s.inter, key));
    } else {
      s.inter = 4 * s.hidden;
      notes.push_back("no MLP width: gated MLP of 4 x hidden assumed");
    }
    if (auto qk = flag(c, {"use_qk_norm", "qk_norm", "qk_layernorm", "use_qk_layernorm"}); qk && qk->second) {
      s.qk_norm = true;
      notes.push_back(fmt::format("per-head q_norm/k_norm (RMSNorm of head_dim {}) from `{}`", s.head_dim, qk->first));
    } else {
      notes.push_back("no q/k norm (no `use_qk_norm`/`qk_norm`/`qk_layernorm` set)");
    }
    if (auto bias = flag(c, {"attention_bias", "qkv_bias"}); bias && bias->second) {
      s.qkv_bias = true;
      s.o_bias = bias->first == "attention_bias";  // Llama: attention_bias covers o_proj too
      notes.push_back(fmt::format("attention biases on q/k/v{} from `{}`", s.o_bias ? "/o" : "", bias->first));
    } else {
      notes.push_back("attention projections without bias");
    }
    s.mlp_bias = c.b("mlp_bias", false);
    if (s.mlp_bias) notes.push_back("MLP biases from `mlp_bias`");
    s.tie_embeddings = c.b("tie_word_embeddings", false);
    notes.push_back("norms: RMSNorm with a weight and no bias; RoPE over the full head_dim (a non-persistent buffer)");
    bool head = target == Target::TaskModel;
    notes.insert(notes.begin(),
                 fmt::format("model_type `{}` is not implemented by memfit: estimated as a generic Llama-shaped decoder "
                             "(embeddings, {} layers of q/k/v/o attention + MLP + 2 RMSNorms, final norm{})",
                             model_type, s.layers,
                             !head ? "; no lm_head, as accelerate's AutoModel builds the base model"
                                   : (s.tie_embeddings ? ", tied lm_head" : ", lm_head")));
    BuiltModel b{Model{nullptr, {"GenericDecoderLayer"}}, "", model_type, true, notes};
    if (head) {
      auto root = make("GenericForCausalLM");
      root->add("model", decoder_model(s));
      root->add("lm_head", heads::lm_head(s.hidden, s.vocab, s.tie_embeddings, "model.embed_tokens.weight"));
      b.model.root = root;
      b.cls = "GenericForCausalLM";
    } else {
      b.model.root = decoder_model(s);
      b.cls = "GenericModel";
    }
    return b;
  } catch (const ConfigError& e) {
    return fail(ErrorKind::BadInput, e.what());
  }
}

}  // namespace memfit
