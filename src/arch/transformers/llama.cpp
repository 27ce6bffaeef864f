// Llama and the families that are Llama with a detail changed: Mistral (same tree), Qwen2 (q/k/v biases),
// Qwen3 (per-head q_norm/k_norm), CWM (Llama's tree; sliding windows change no tensor), DiffLlama (differential
// attention: four lambda vectors [head_dim] and a parameter-free group norm), NanoChat (parameter-free RMSNorms
// everywhere, an ungated fc1/fc2 MLP), Helium (o_proj hidden -> hidden without bias), Ministral (Mistral's tree; a
// null head_dim fails as in MinistralAttention). transformers' modeling_llama.py, modeling_mistral.py,
// modeling_qwen2.py, modeling_qwen3.py, modeling_cwm.py, modeling_diffllama.py, modeling_nanochat.py,
// modeling_helium.py, modeling_ministral.py.
#include <fmt/format.h>

#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

MEMFIT_FAMILY({"llama"}, "Llama", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Llama");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"cwm"}, "Cwm", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Cwm");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"diffllama"}, "DiffLlama", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "DiffLlama");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.attention = [s] {
    auto a = decoder_attention(s);
    for (const char* n : {"lambda_q1", "lambda_k1", "lambda_q2", "lambda_k2"}) a->param(n, {s.head_dim});
    a->add("groupnorm", blocks::leaf("RMSNorm"));  // elementwise_affine=False
    return a;
  };
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"nanochat"}, "NanoChat", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "NanoChat");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.norm = [](int64_t) { return blocks::leaf("NanoChatRMSNorm"); };
  s.attention = [s] {
    auto a = decoder_attention(s);
    a->add("q_norm", blocks::leaf("NanoChatRMSNorm"));
    a->add("k_norm", blocks::leaf("NanoChatRMSNorm"));
    return a;
  };
  s.mlp = [s] {
    auto m = make("NanoChatMLP");
    m->add("activation_fn", blocks::leaf(blocks::act_class(s.act)));
    m->add("fc1", blocks::linear(s.hidden, s.inter, false));
    m->add("fc2", blocks::linear(s.inter, s.hidden, false));
    return m;
  };
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"mistral"}, "Mistral", [](const Config& c, std::string_view cls) {
  return decoder_for(read_decoder(c, "Mistral"), cls);
});

MEMFIT_FAMILY({"helium"}, "Helium", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Helium");
  s.qkv_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  s.attention = [s] {
    auto a = decoder_attention(s);
    for (auto& [name, child] : a->children)
      if (name == "o_proj") child = blocks::linear(s.hidden, s.hidden, false);  // HeliumAttention: hidden -> hidden
    return a;
  };
  return decoder_for(s, cls);
});

// MinistralAttention reads config.head_dim without a fallback: the class default None fails there (`None ** -0.5`).
MEMFIT_FAMILY({"ministral"}, "Ministral", [](const Config& c, std::string_view cls) {
  if (!c.has("head_dim"))
    throw ConfigError(fmt::format("config key `head_dim` is null: MinistralAttention needs it, as in transformers "
                                  "(model_type `{}`)", c.model_type()));
  return decoder_for(read_decoder(c, "Ministral"), cls);
});

MEMFIT_FAMILY({"qwen2"}, "Qwen2", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Qwen2");
  s.qkv_bias = true;
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"qwen3"}, "Qwen3", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Qwen3");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.qk_norm = true;
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
