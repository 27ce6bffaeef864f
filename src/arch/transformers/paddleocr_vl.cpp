// PaddleOCR-VL: transformers' modeling_paddleocr_vl.py. PaddleOCRVisionModel wraps a SigLIP vision transformer
// without head (PaddleOCRVisionTransformer: embeddings with a position table, encoder layers, post_layernorm) whose
// encoder also holds a float32 rotary table; a projector (LayerNorm over the vision width, then Linear, GELU,
// Linear over spatial_merge_size^2 merged patches); and PaddleOCRTextModel, a Llama-shaped decoder whose
// projections all carry use_bias.
#include "arch/blocks.h"
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "paddleocr_vl_vision"}}, "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "paddleocr_vl_text"}}, "");
  SubConfig tower_cfg = make_config({{"vision_use_head", false}}, vc.c.raw(), "paddleocr_vl_vision");
  int64_t vh = media::dim(vc.c, "hidden_size", 1152), heads = media::dim(vc.c, "num_attention_heads", 16);
  media::divisible(vc.c, vh, heads, "hidden_size / num_attention_heads");
  ModulePtr tower = siglip_vision_model(tower_cfg.c, "PaddleOCR").root;
  tower->cls = "PaddleOCRVisionTransformer";
  auto rope = make("PaddleOCRVisionRotaryEmbedding");
  rope->buffer("inv_freq", {(vh / heads / 2 + 1) / 2}, DType::F32, false);
  tower->child("encoder")->add("rotary_pos_emb", rope);
  auto visual = make("PaddleOCRVisionModel");
  visual->add("vision_model", tower);

  DecoderSpec s = read_decoder(tc.c, "PaddleOCR", true);
  s.head_dim = media::dim(tc.c, "head_dim", 128);
  s.qkv_bias = s.o_bias = s.mlp_bias = tc.c.b("use_bias", false);
  ModulePtr text = decoder_model(s);
  text->cls = "PaddleOCRTextModel";

  int64_t merge = media::dim(vc.c, "spatial_merge_size", 2), merged = vh * merge * merge;
  auto proj = make("PaddleOCRProjector");
  proj->add("pre_norm", layer_norm(vh));
  proj->add("linear_1", linear(merged, merged));
  proj->add("act", leaf("GELUActivation"));
  proj->add("linear_2", linear(merged, s.hidden));

  auto m = make("PaddleOCRVLModel");
  m->add("visual", visual);
  m->add("language_model", text);
  m->add("projector", proj);
  Model base{m, {"PaddleOCRDecoderLayer"}};
  if (cls == "PaddleOCRVLModel") return base;
  if (cls != "PaddleOCRVLForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, s.hidden, s.vocab, c.b("tie_word_embeddings", true));
}

MEMFIT_FAMILY({"paddleocr_vl"}, "PaddleOCRVL", build);

}  // namespace
}  // namespace memfit
