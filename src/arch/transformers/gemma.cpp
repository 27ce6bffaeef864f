// Gemma and Gemma 2: transformers' modeling_gemma.py, modeling_gemma2.py. Llama-shaped, with the embeddings scaled
// by a registered 0-d buffer (GemmaTextScaledWordEmbedding.embed_scale) and, in Gemma 2, four norms per layer
// (sliding-window layer types change no tensor). VaultGemma (modeling_vaultgemma.py): Gemma 2 with two norms per
// layer (input_layernorm, pre_feedforward_layernorm).
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

DecoderSpec gemma_spec(const Config& c, std::string prefix) {
  DecoderSpec s = read_decoder(c, std::move(prefix), /*tie_default=*/true);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.head_dim = c.i("head_dim", 256);
  s.embed_scale = true;
  return s;
}

MEMFIT_FAMILY({"gemma"}, "Gemma", [](const Config& c, std::string_view cls) {
  DecoderSpec s = gemma_spec(c, "Gemma");
  s.kv_heads = c.i("num_key_value_heads", 16);
  s.act = c.s("hidden_act", "gelu_pytorch_tanh");
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"gemma2"}, "Gemma2", [](const Config& c, std::string_view cls) {
  DecoderSpec s = gemma_spec(c, "Gemma2");
  s.kv_heads = c.i("num_key_value_heads", 4);
  s.act = c.s("hidden_activation", "gelu_pytorch_tanh");
  s.layer_norms = {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                   "post_feedforward_layernorm"};
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"vaultgemma"}, "VaultGemma", [](const Config& c, std::string_view cls) {
  DecoderSpec s = gemma_spec(c, "VaultGemma");
  s.kv_heads = c.i("num_key_value_heads", 4);
  s.act = c.s("hidden_activation", "gelu_pytorch_tanh");
  s.layer_norms = {"input_layernorm", "pre_feedforward_layernorm"};
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
