// Remote-code architectures memfit never runs but can still estimate: configs rewritten into the native family
// that holds exactly the same tensors (checked against the checkpoints' index total_size in tests/remote_code_test).
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

// InternLM (v1) is Llama with an optional bias on q/k/v/o (`bias`).
Json internlm_as_llama(const Json& c) {
  Json n = c;
  auto bias = c.find("bias");
  if (bias != c.end() && !bias->is_boolean())
    throw ConfigError("config key `bias` is missing or invalid (model_type `internlm`)");
  n["attention_bias"] = bias == c.end() ? true : bias->get<bool>();
  return n;
}

// QWen (v1): transformer.h.N.{ln_1, attn.c_attn (q|k|v fused, with bias), attn.c_proj, ln_2, mlp.w1, mlp.w2,
// mlp.c_proj} is Qwen2 with q/k/v biases, full multi-head attention and an MLP width of intermediate_size / 2.
Json qwen_as_qwen2(const Json& c) {
  Json n = c;
  if (!c.contains("intermediate_size") || !c["intermediate_size"].is_number_integer())
    throw ConfigError("config key `intermediate_size` is missing or invalid (model_type `qwen`)");
  n["intermediate_size"] = c["intermediate_size"].get<int64_t>() / 2;
  if (c.contains("padded_vocab_size")) n["vocab_size"] = c["padded_vocab_size"];
  if (c.contains("num_attention_heads")) n["num_key_value_heads"] = c["num_attention_heads"];
  n["tie_word_embeddings"] = c.value("tie_word_embeddings", false);
  return n;
}

MEMFIT_REMOTE_CODE_ALIAS("internlm", "llama", internlm_as_llama, "InternLM's modeling code is Llama's with optional biases");
MEMFIT_REMOTE_CODE_ALIAS("qwen", "qwen2", qwen_as_qwen2,
                         "QWen's fused c_attn and w1/w2/c_proj MLP are Qwen2's q/k/v and gate/up/down projections");

}  // namespace
}  // namespace memfit
