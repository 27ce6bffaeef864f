// GLM-4 (0414): transformers' modeling_glm4.py. Llama-shaped with biased q/k/v (o_proj without bias), a fused
// gate_up_proj MLP, four RMSNorms per layer and partial rotary embeddings (default factor 0.5). GLM-4V's text
// model on its own (glm4v_text, modeling_glm4v.py's Glm4vTextModel) and GLM-Image's (glm_image_text,
// modeling_glm_image.py): the same layers, multimodal RoPE over the whole head_dim. GLM-OCR's (glm_ocr_text,
// modeling_glm_ocr.py): the same without q/k/v biases.
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"glm4"}, "Glm4", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Glm4");
  s.head_dim = c.i("head_dim", 128);
  s.kv_heads = c.i("num_key_value_heads", 2);
  s.qkv_bias = c.b("attention_bias", true);
  s.mlp = [s] { return gate_up_mlp("Glm4MLP", s.hidden, s.inter, act_class(s.act)); };
  s.layer_norms = {"input_layernorm", "post_attention_layernorm", "post_self_attn_layernorm", "post_mlp_layernorm"};
  s.rotary_dim = rope_dim(s.head_dim, rope_fraction(c, 0.5));
  return decoder_for(s, cls);
});

// A GLM-4 text model with multimodal RoPE over the whole head_dim (GLM-4V's, GLM-Image's); `p` names the classes,
// `vision_block` is the vision tower's block class, which _no_split_modules also lists.
Model glm4_mrope_text(const Config& c, std::string_view cls, const std::string& p, const std::string& vision_block,
                      bool qkv_bias = true) {
  DecoderSpec s = read_decoder(c, p);
  s.head_dim = c.i("head_dim", s.hidden / s.heads);
  s.qkv_bias = qkv_bias && c.b("attention_bias", true);
  s.mlp = [s] { return gate_up_mlp(s.prefix + "MLP", s.hidden, s.inter, act_class(s.act)); };
  s.layer_norms = {"input_layernorm", "post_attention_layernorm", "post_self_attn_layernorm", "post_mlp_layernorm"};
  Model m = decoder_for(s, cls);
  m.no_split.push_back(vision_block);
  return m;
}

MEMFIT_FAMILY({"glm4v_text"}, "Glm4vText", [](const Config& c, std::string_view cls) {
  return glm4_mrope_text(c, cls, "Glm4vText", "Glm4vVisionBlock");
}, "Glm4vTextModel");
MEMFIT_FAMILY({"glm_image_text"}, "GlmImageText", [](const Config& c, std::string_view cls) {
  return glm4_mrope_text(c, cls, "GlmImageText", "GlmImageVisionBlock");
}, "GlmImageTextModel");
MEMFIT_FAMILY({"glm_ocr_text"}, "GlmOcrText", [](const Config& c, std::string_view cls) {
  return glm4_mrope_text(c, cls, "GlmOcrText", "GlmOcrVisionBlock", false);
}, "GlmOcrTextModel");

}  // namespace
}  // namespace memfit
