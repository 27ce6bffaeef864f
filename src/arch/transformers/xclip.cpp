// X-CLIP: transformers' modeling_x_clip.py XCLIPModel. CLIP's text model under XCLIP names; a CLIP-shaped vision
// model whose layers add cross-frame message passing (message_fc, message_ln, message_attn) and whose
// post_layernorm is registered before pre_layernorm; bias-free visual/text projections, logit_scale, the
// prompts' LayerNorm and [vision, projection] matrix, the multiframe integration transformer (`mit`: per-frame
// positions + an XCLIPEncoder of the mit_* sizes) and the video-specific prompt generator (LayerNorm, decoder layers
// of bias-free k/v/q cross attention + proj, two LayerNorms and a 4x MLP, alpha).
#include "arch/blocks.h"
#include "arch/transformers/clip_layer.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// XCLIPEncoderLayer (`vision`: XCLIPVisionEncoderLayer with the message-passing modules and drop_path).
ModulePtr layer(const Config& c, int64_t h, int64_t inter, bool vision) {
  auto l = clip_encoder_layer("XCLIP", h, inter, c.s("hidden_act", "quick_gelu"));
  if (vision) {
    l->cls = "XCLIPVisionEncoderLayer";
    l->add("message_fc", linear(h, h));
    l->add("message_ln", layer_norm(h));
    l->add("message_attn", l->child("self_attn"));
    l->add("drop_path", leaf(c.f("drop_path_rate", 0.0) > 0.0 ? "XCLIPDropPath" : "Identity"));
  }
  return l;
}

ModulePtr vision_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 768), patch = media::dim(v, "patch_size", 32);
  int64_t side = media::dim(v, "image_size", 224) / patch, positions = side * side + 1;
  auto emb = make("XCLIPVisionEmbeddings");
  emb->param("class_embedding", {h});
  emb->add("patch_embedding", conv2d(media::dim(v, "num_channels", 3), h, patch, false));
  emb->add("position_embedding", embedding(positions, h));
  emb->buffer("position_ids", {1, positions}, DType::I64, false);
  auto enc = make("XCLIPVisionEncoder");
  enc->add("layers", repeat(layer(v, h, media::dim(v, "intermediate_size", 3072), true),
                            media::count(v, "num_hidden_layers", 12)));
  auto m = make("XCLIPVisionModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("post_layernorm", layer_norm(h));
  m->add("pre_layernorm", layer_norm(h));
  return m;
}

ModulePtr prompt_generator(const Config& c) {
  int64_t d = media::dim(c, "projection_dim", 512);
  auto cross = make("XCLIPCrossAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj"}) cross->add(n, linear(d, d, false));
  cross->add("proj", linear(d, d));
  cross->add("proj_drop", leaf("Dropout"));
  auto mlp = make("Sequential");
  mlp->add("0", linear(d, 4 * d));
  mlp->add("1", leaf(act_class(c.s("prompt_hidden_act", "quick_gelu"))));
  mlp->add("2", leaf("Dropout"));
  mlp->add("3", linear(4 * d, d));
  auto l = make("PromptGeneratorLayer");
  l->add("cross_attn", cross);
  l->add("norm1", layer_norm(d));
  l->add("norm3", layer_norm(d));
  l->add("mlp", mlp);
  auto g = make("XCLIPPromptGenerator");
  g->add("layernorm", layer_norm(d));
  g->add("decoder", repeat(l, media::count(c, "prompt_layers", 2)));
  g->param("alpha", {d});
  return g;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "XCLIPModel") heads::unsupported(cls);
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "xclip_text_model"}}, "xclip_text_model");
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "xclip_vision_model"}}, "xclip_vision_model");
  int64_t th = media::dim(tc.c, "hidden_size", 512), vh = media::dim(vc.c, "hidden_size", 768);
  int64_t proj = media::dim(c, "projection_dim", 512), mit_h = media::dim(vc.c, "mit_hidden_size", 512);
  auto mit_enc = make("XCLIPEncoder");
  mit_enc->add("layers", repeat(layer(vc.c, mit_h, media::dim(vc.c, "mit_intermediate_size", 2048), false),
                                media::count(vc.c, "mit_num_hidden_layers", 1)));
  auto mit = make("XCLIPMultiframeIntegrationTransformer");
  mit->param("position_embedding", {1, media::dim(vc.c, "num_frames", 8), mit_h});
  mit->add("encoder", mit_enc);

  auto m = make("XCLIPModel");
  m->add("text_model", clip_text_model(tc.c, "XCLIP").root);
  m->add("vision_model", vision_model(vc.c));
  m->add("visual_projection", linear(vh, proj, false));
  m->add("text_projection", linear(th, proj, false));
  m->param("logit_scale", {});
  m->add("prompts_visual_layernorm", layer_norm(vh));
  m->param("prompts_visual_projection", {vh, proj});
  m->add("mit", mit);
  m->add("prompts_generator", prompt_generator(c));
  return {m, {"XCLIPEncoderLayer", "XCLIPTextEmbeddings", "XCLIPVisionEmbeddings", "XCLIPVisionEncoderLayer"}};
}

MEMFIT_FAMILY({"xclip"}, "XCLIP", build);

}  // namespace
}  // namespace memfit
