// Llama and the families that are Llama with a detail changed: Mistral (same tree), Qwen2 (q/k/v biases),
// Qwen3 (per-head q_norm/k_norm). transformers' modeling_llama.py, modeling_mistral.py, modeling_qwen2.py,
// modeling_qwen3.py.
#include "arch/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace {

MEMFIT_FAMILY({"llama"}, "Llama", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Llama");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"mistral"}, "Mistral", [](const Config& c, std::string_view cls) {
  return decoder_for(read_decoder(c, "Mistral"), cls);
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
