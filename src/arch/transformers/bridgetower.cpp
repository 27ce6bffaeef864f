// BridgeTower: transformers' modeling_bridgetower.py. BridgeTowerModel: cross-modal input transforms (one Linear
// each for text and image when share_cross_modal_transformer_layers, else one per cross layer), token_type_embeddings
// (2 rows), vision_model (BridgeTowerVisionModel: visual = CLIP-style embeddings with a bias-free patch conv and a
// non-persistent position_ids buffer, ln_pre, resblocks of nn.MultiheadAttention + ln_1 + c_fc/c_proj + ln_2,
// ln_post and, without share_layernorm, one ln_separate per layer), text_model (RoBERTa-style BridgeTowerTextModel
// with its pooler), num_hidden_layers cross layers per modality (self-attention, cross-attention, feed-forward over
// the text width), the two cross-modal poolers and LayerNorms, and the link towers (a LayerNorm, with a scale or beta
// parameter for scaled_add / interpolate; one per cross layer after the first unless shared).
// Heads: ForImageAndTextRetrieval (itm_score, 2 x hidden -> 2), ForMaskedLM (mlm_score over the text vocabulary)
// and ForContrastiveLearning (three contrastive projections and logit_scale).
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/bert.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "BridgeTower";

ModulePtr qkv(const std::string& cls, int64_t h) {
  auto s = make(cls);
  for (const char* n : {"query", "key", "value"}) s->add(n, linear(h, h));
  s->add("dropout", leaf("Dropout"));
  return s;
}

ModulePtr vision_model(const Config& v) {
  const int64_t h = media::dim(v, "hidden_size", 768), patch = media::dim(v, "patch_size", 16);
  const int64_t image = media::dim(v, "image_size", 288), layers = media::count(v, "num_hidden_layers", 12);
  media::require(v, h >= 64 && image >= patch, "vision hidden_size below 64 or image_size below patch_size");
  const int64_t positions = (image / patch) * (image / patch) + 1;
  media::require(v, positions <= media::kMaxDim, "image_size / patch_size out of range");
  auto emb = make(kP + "VisionEmbeddings");
  emb->param("class_embedding", {h});
  emb->add("patch_embedding", conv2d(media::dim(v, "num_channels", 3), h, patch, false));
  emb->add("position_embedding", embedding(positions, h));
  emb->buffer("position_ids", {1, positions}, DType::I64, false);
  auto out_proj = make("NonDynamicallyQuantizableLinear");
  out_proj->param("weight", {h, h}).param("bias", {h});
  auto mha = make("MultiheadAttention");  // nn.MultiheadAttention(hidden, hidden // 64)
  mha->param("in_proj_weight", {3 * h, h}).param("in_proj_bias", {3 * h});
  mha->add("out_proj", out_proj);
  auto mlp = make("ModuleDict");
  mlp->add("c_fc", linear(h, 4 * h));
  mlp->add("gelu", leaf("QuickGELUActivation"));
  mlp->add("c_proj", linear(4 * h, h));
  auto block = make(kP + "ResidualAttention");
  block->add("attn", mha);
  block->add("ln_1", layer_norm(h));
  block->add("mlp", mlp);
  block->add("ln_2", layer_norm(h));
  auto tr = make(kP + "Transformer");
  tr->add("resblocks", repeat(block, v.b("remove_last_layer", false) ? std::max<int64_t>(layers - 1, 0) : layers));
  auto visual = make(kP + "VisionTransformer");
  visual->add("embeddings", emb);
  visual->add("ln_pre", layer_norm(h));
  visual->add("transformer", tr);
  visual->add("ln_post", layer_norm(h));
  if (!v.b("share_layernorm", true)) visual->add("ln_separate", repeat(layer_norm(h), layers));
  auto m = make(kP + "VisionModel");
  m->add("visual", visual);
  return m;
}

ModulePtr text_model(const Config& t) {
  const int64_t h = media::dim(t, "hidden_size", 768), inter = media::dim(t, "intermediate_size", 3072);
  const int64_t positions = media::dim(t, "max_position_embeddings", 514);
  media::divisible(t, h, media::dim(t, "num_attention_heads", 12), "text hidden_size by num_attention_heads");
  const std::string act = t.s("hidden_act", "gelu");
  auto emb = make(kP + "TextEmbeddings");
  emb->add("word_embeddings", embedding(media::dim(t, "vocab_size", 50265), h));
  emb->add("token_type_embeddings", embedding(media::dim(t, "type_vocab_size", 1), h));
  emb->add("LayerNorm", layer_norm(h));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, positions}, DType::I64, false);
  emb->buffer("token_type_ids", {1, positions}, DType::I64, false);
  emb->add("position_embeddings", embedding(positions, h));
  auto layer = bert::layer_with(kP, qkv(kP + "SelfAttention", h), h, inter, act);
  layer->cls = kP + "TextLayer";
  if (t.b("add_cross_attention", false)) {
    if (!t.b("is_decoder", false))
      throw ConfigError("transformers itself refuses this config: add_cross_attention needs is_decoder (bridgetower)");
    auto cross = bert::layer_with(kP, qkv(kP + "CrossAttention", h), h, inter, act)->child("attention");
    layer->children.insert(layer->children.begin() + 1, {"crossattention", cross});
  }
  auto enc = make(kP + "TextEncoder");
  enc->add("layer", repeat(layer, media::count(t, "num_hidden_layers", 12)));
  auto pooler = make(kP + "Pooler");
  pooler->add("dense", linear(h, h));
  pooler->add("activation", leaf("Tanh"));
  auto m = make(kP + "TextModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("pooler", pooler);
  return m;
}

// BridgeTowerBertCrossLayer over the text config: self-attention, cross-attention, intermediate, output.
ModulePtr cross_layer(const Config& t) {
  const int64_t h = media::dim(t, "hidden_size", 768), inter = media::dim(t, "intermediate_size", 3072);
  const std::string act = t.s("hidden_act", "gelu");
  auto l = bert::layer_with(kP, qkv(kP + "SelfAttention", h), h, inter, act);
  l->cls = kP + "BertCrossLayer";
  auto cross = bert::layer_with(kP, qkv(kP + "CrossAttention", h), h, inter, act)->child("attention");
  l->children.insert(l->children.begin() + 1, {"crossattention", cross});
  return l;
}

ModulePtr model(const Config& c) {
  SubConfig tc = sub_config(c, "text_config", Json::object(), "bridgetower_text_model");
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "bridgetower_vision_model");
  const int64_t h = media::dim(c, "hidden_size", 768), layers = media::count(c, "num_hidden_layers", 6);
  const int64_t th = media::dim(tc.c, "hidden_size", 768), vh = media::dim(vc.c, "hidden_size", 768);
  auto m = make(kP + "Model");
  if (c.b("share_cross_modal_transformer_layers", true)) {
    m->add("cross_modal_text_transform", linear(th, h));
    m->add("cross_modal_image_transform", linear(vh, h));
  } else {
    m->add("cross_modal_text_transform", repeat(linear(th, h), layers));
    m->add("cross_modal_image_transform", repeat(linear(vh, h), layers));
  }
  m->add("token_type_embeddings", embedding(2, h));
  m->add("vision_model", vision_model(vc.c));
  m->add("text_model", text_model(tc.c));
  m->add("cross_modal_image_layers", repeat(cross_layer(tc.c), layers));
  m->add("cross_modal_text_layers", repeat(cross_layer(tc.c), layers));
  for (const char* n : {"cross_modal_image_pooler", "cross_modal_text_pooler"}) {
    auto p = make(kP + "Pooler");
    p->add("dense", linear(h, h));
    p->add("activation", leaf("Tanh"));
    m->add(n, p);
  }
  m->add("cross_modal_text_layernorm", layer_norm(h));
  m->add("cross_modal_image_layernorm", layer_norm(h));
  const std::string link = c.s("link_tower_type", "add");
  if (link != "add" && link != "scaled_add" && link != "interpolate")
    throw ConfigError("transformers itself refuses link_tower_type `" + link + "` (bridgetower)");
  auto tower = make(kP + "LinkTower");
  if (link == "scaled_add") tower->param("scaled_factor", {});
  if (link == "interpolate") tower->param("beta", {});
  tower->add("LayerNorm", layer_norm(h));
  const bool shared = c.b("share_link_tower_layers", false);
  for (const char* n : {"cross_modal_text_link_tower", "cross_modal_image_link_tower"})
    m->add(n, shared ? tower : repeat(tower, std::max<int64_t>(layers - 1, 0)));
  return m;
}

ModulePtr linear_head(const std::string& cls, int64_t in, int64_t out) {
  auto m = make(kP + cls);
  m->add("fc", linear(in, out));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const std::vector<std::string> no_split{kP + "SelfAttention", kP + "ResidualAttention"};
  if (cls == kP + "Model") return {model(c), no_split};
  const int64_t h = media::dim(c, "hidden_size", 768);
  auto root = make(std::string(cls));
  if (cls == kP + "ForImageAndTextRetrieval") {
    root->add("bridgetower", model(c));
    root->add("itm_score", linear_head("ITMHead", 2 * h, 2));
  } else if (cls == kP + "ForMaskedLM") {
    // BridgeTowerMLMHead: transform (dense, act, LayerNorm), a bias-free decoder to the text vocabulary (the word
    // embeddings when tie_word_embeddings, false by default) and its own bias.
    SubConfig tc = sub_config(c, "text_config", Json::object(), "bridgetower_text_model");
    const int64_t vocab = media::dim(tc.c, "vocab_size", 50265);
    auto transform = make(kP + "PredictionHeadTransform");
    transform->add("dense", linear(h, h));
    transform->add("transform_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
    transform->add("LayerNorm", layer_norm(h));
    auto head = make(kP + "MLMHead");
    head->add("transform", transform);
    if (c.b("tie_word_embeddings", false)) {
      if (media::dim(tc.c, "hidden_size", 768) != h) heads::unsupported(std::string(cls) + " tied across widths");
      auto dec = make("Linear");
      dec->tie("weight", {vocab, h}, "bridgetower.text_model.embeddings.word_embeddings.weight");
      head->add("decoder", dec);
    } else {
      head->add("decoder", linear(h, vocab, false));
    }
    head->param("bias", {vocab});
    root->add("bridgetower", model(c));
    root->add("mlm_score", head);
  } else if (cls == kP + "ForContrastiveLearning") {
    // BridgeTowerConfig has no contrastive_hidden_size default: transformers raises AttributeError without it.
    if (!c.has("contrastive_hidden_size"))
      throw ConfigError("transformers itself cannot build BridgeTowerForContrastiveLearning without "
                        "contrastive_hidden_size in the config (AttributeError)");
    const int64_t ch = media::dim(c, "contrastive_hidden_size", 512);
    root->add("bridgetower", model(c));
    root->add("itc_text_head", linear_head("ContrastiveHead", h, ch));
    root->add("itc_image_head", linear_head("ContrastiveHead", h, ch));
    root->add("itc_cross_modal_head", linear_head("ContrastiveHead", 2 * h, ch));
    root->param("logit_scale", {});
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"bridgetower"}, "BridgeTower", build);

}  // namespace
}  // namespace memfit
