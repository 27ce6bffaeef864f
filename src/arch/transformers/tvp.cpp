// TVP: transformers' modeling_tvp.py TvpModel. The vision model (load_backbone of backbone_config, a ResNet by
// default, then a bias-free 3x3 grid_encoder_conv from its last width to hidden_size), BERT-like text embeddings
// (without id buffers), visual embeddings (positions, grid row/column positions, one token type, LayerNorm), an
// encoder of TvpEncodeLayer (attention with its own dense + LayerNorm, intermediate, output), a pooler, a learned
// text_prompt [1, 10, hidden] and the visual prompter (framepad: pads on all four sides of every frame; framedownpad:
// one pad at the bottom of frame_num frames). TvpForVideoGrounding adds a two-Linear grounding head.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/resnet.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr encode_layer(const Config& c, int64_t h) {
  int64_t inter = media::dim(c, "intermediate_size", 3072);
  auto attn = make("TvpAttention");
  for (const char* n : {"query", "key", "value"}) attn->add(n, linear(h, h));
  attn->add("attn_dropout", leaf("Dropout"));
  attn->add("dense", linear(h, h));
  attn->add("layer_norm", layer_norm(h));
  attn->add("dropout", leaf("Dropout"));
  auto im = make("TvpIntermediate");
  im->add("dense", linear(h, inter));
  im->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto out = make("TvpOutputLayer");
  out->add("dense", linear(inter, h));
  out->add("layer_norm", layer_norm(h));
  out->add("dropout", leaf("Dropout"));
  auto l = make("TvpEncodeLayer");
  l->add("attention", attn);
  l->add("intermediate", im);
  l->add("output", out);
  return l;
}

ModulePtr visual_prompter(const Config& c) {
  std::string type = c.s("visual_prompter_type", "framepad"), apply = c.s("visual_prompter_apply", "replace");
  media::require(c, apply == "add" || apply == "replace" || apply == "remove",
                 "visual_prompter_apply must be add, replace or remove");
  int64_t size = media::dim(c, "visual_prompt_size", 96), img = media::dim(c, "max_img_size", 448);
  if (type == "framedownpad") {
    int64_t frames = c.i("frame_num");  // TvpConfig has no such field: transformers fails without it too
    media::require(c, frames >= 1 && frames <= media::kMaxCount, "frame_num out of range");
    auto m = make("TvpFrameDownPadPrompter");
    m->param("pad_down", {1, frames, 3, size, img});
    return m;
  }
  media::require(c, type == "framepad", "visual_prompter_type must be framedownpad or framepad");
  int64_t frames = media::dim(c, "num_frames", 48), base = img - 2 * size;
  media::require(c, base >= 0, "max_img_size smaller than twice visual_prompt_size");
  auto m = make("TvpFramePadPrompter");
  m->param("pad_up", {1, frames, 3, size, img});
  m->param("pad_down", {1, frames, 3, size, img});
  m->param("pad_left", {1, frames, 3, base, size});
  m->param("pad_right", {1, frames, 3, base, size});
  return m;
}

ModulePtr tvp_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768), pos = media::dim(c, "max_position_embeddings", 512);
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "resnet"}}, "resnet");
  if (bc.c.model_type() != "resnet") throw UnsupportedClass("TVP with a " + bc.c.model_type() + " backbone");
  auto vision = make("TvpVisionModel");
  vision->add("backbone", resnet_model(bc.c, true));
  vision->add("grid_encoder_conv", conv2d(media::dims(bc.c, "hidden_sizes", {256, 512, 1024, 2048}).back(), h, 3, false));
  auto text = make("TvpTextInputEmbeddings");
  text->add("word_embeddings", embedding(media::dim(c, "vocab_size", 30522), h));
  text->add("position_embeddings", embedding(pos, h));
  text->add("token_type_embeddings", embedding(media::dim(c, "type_vocab_size", 2), h));
  text->add("layer_norm", layer_norm(h));
  text->add("dropout", leaf("Dropout"));
  auto visual = make("TvpVisualInputEmbedding");
  visual->add("position_embeddings", embedding(pos, h));
  visual->add("row_position_embeddings", embedding(media::dim(c, "max_grid_row_position_embeddings", 100), h));
  visual->add("col_position_embeddings", embedding(media::dim(c, "max_grid_col_position_embeddings", 100), h));
  visual->add("token_type_embeddings", embedding(1, h));
  visual->add("layer_norm", layer_norm(h));
  visual->add("dropout", leaf("Dropout"));
  auto enc = make("TvpEncoder");
  enc->add("layer", repeat(encode_layer(c, h), media::count(c, "num_hidden_layers", 12)));
  auto pooler = make("TvpPooler");
  pooler->add("dense", linear(h, h));
  pooler->add("activation", leaf("Tanh"));
  auto m = make("TvpModel");
  m->add("vision_model", vision);
  m->add("embeddings", text);
  m->add("visual_embeddings", visual);
  m->add("encoder", enc);
  m->add("pooler", pooler);
  m->param("text_prompt", {1, 10, h});
  m->add("dropout", leaf("Dropout"));
  m->add("visual_prompter", visual_prompter(c));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls == "TvpModel") return {tvp_model(c), {}};
  if (cls != "TvpForVideoGrounding") heads::unsupported(cls);
  int64_t h = media::dim(c, "hidden_size", 768);
  auto head = make("TvpVideoGroundingHead");
  head->add("layer_0", linear(h, 2 * h));
  head->add("layer_1", linear(2 * h, 2));
  head->add("activation_0", leaf("ReLU"));
  head->add("activation_1", leaf("Sigmoid"));
  auto root = make("TvpForVideoGrounding");
  root->add("model", tvp_model(c));
  root->add("video_grounding_head", head);
  return {root, {}};
}

MEMFIT_FAMILY({"tvp"}, "Tvp", build);

}  // namespace
}  // namespace memfit
