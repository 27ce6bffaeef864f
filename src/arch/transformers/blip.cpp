// BLIP: transformers' modeling_blip.py and modeling_blip_text.py. BlipVisionModel (a ViT: class/position
// parameters, Conv2d patches, encoder layers with a fused qkv Linear, post_layernorm) and BlipTextModel (BERT-style
// layers; with is_decoder, the default, each layer also cross-attends to the vision hidden states, whose width
// BlipConfig copies into text_config.encoder_hidden_size). AutoModel builds BlipModel (both towers, a pooler on the
// text tower, bias-free visual/text projections, logit_scale); the task models of the real checkpoints are
// BlipForConditionalGeneration (captioning: vision + BlipTextLMHeadModel, decoder tied to the word embeddings),
// BlipForQuestionAnswering (vision + text encoder without pooler + LM-head decoder) and BlipForImageTextRetrieval
// (vision + text encoder, vision_proj, text_proj, itm_head).
#include "arch/blocks.h"
#include "arch/transformers/bert.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vision_model(const Config& c) {
  const int64_t h = c.i("hidden_size", 768), inter = c.i("intermediate_size", 3072);
  const int64_t image = c.i("image_size", 384), patch = c.i("patch_size", 16);
  if (h <= 0 || patch <= 0 || image <= 0 || image / patch > 100000) c.missing("patch_size");
  const int64_t layers = checked_count(c.i("num_hidden_layers", 12), "vision num_hidden_layers");
  auto emb = make("BlipVisionEmbeddings");
  emb->param("class_embedding", {1, 1, h});
  emb->add("patch_embedding", conv2d(3, h, patch));
  emb->param("position_embedding", {1, (image / patch) * (image / patch) + 1, h});
  auto attn = make("BlipAttention");
  attn->add("dropout", leaf("Dropout"));
  attn->add("qkv", linear(h, 3 * h));
  attn->add("projection", linear(h, h));
  auto mlp = make("BlipMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto layer = make("BlipEncoderLayer");
  layer->add("self_attn", attn);
  layer->add("layer_norm1", layer_norm(h));
  layer->add("mlp", mlp);
  layer->add("layer_norm2", layer_norm(h));
  auto enc = make("BlipEncoder");
  enc->add("layers", repeat(layer, layers));
  auto m = make("BlipVisionModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("post_layernorm", layer_norm(h));
  return m;
}

struct TextShape {
  int64_t vocab, hidden, inter, layers, positions, encoder_hidden;
  bool decoder;
  std::string act;
};

TextShape text_shape(const Config& tc, int64_t vision_hidden) {
  TextShape s{tc.i("vocab_size", 30524), tc.i("hidden_size", 768), tc.i("intermediate_size", 3072),
              checked_count(tc.i("num_hidden_layers", 12), "text num_hidden_layers"),
              tc.i("max_position_embeddings", 512), vision_hidden, tc.b("is_decoder", true),
              tc.s("hidden_act", "gelu")};
  const int64_t heads = tc.i("num_attention_heads", 8);
  if (heads <= 0 || s.hidden <= 0) tc.missing("num_attention_heads");
  if (s.hidden % heads != 0)
    throw ConfigError("text_config.hidden_size is not a multiple of num_attention_heads (model_type `blip`)");
  return s;
}

// BlipTextSelfAttention: query/key/value (a cross-attention's keys and values read the vision width).
ModulePtr self_attention(const TextShape& s, bool cross) {
  const int64_t kv_in = cross ? s.encoder_hidden : s.hidden;
  auto self = make("BlipTextSelfAttention");
  self->add("query", linear(s.hidden, s.hidden));
  self->add("key", linear(kv_in, s.hidden));
  self->add("value", linear(kv_in, s.hidden));
  self->add("dropout", leaf("Dropout"));
  return self;
}

ModulePtr text_model(const TextShape& s, bool pooler) {
  auto emb = make("BlipTextEmbeddings");
  emb->add("word_embeddings", embedding(s.vocab, s.hidden));
  emb->add("position_embeddings", embedding(s.positions, s.hidden));
  emb->add("LayerNorm", layer_norm(s.hidden));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, s.positions}, DType::I64, false);
  // BERT's layer under BlipText names (attention.self/output, intermediate, output); with is_decoder a
  // crossattention of the same layout follows the self-attention.
  auto layer = bert::layer_with("BlipText", self_attention(s, false), s.hidden, s.inter, s.act);
  if (s.decoder) {
    auto cross = bert::layer_with("BlipText", self_attention(s, true), s.hidden, s.inter, s.act)->child("attention");
    layer->children.insert(layer->children.begin() + 1, {"crossattention", cross});
  }
  auto enc = make("BlipTextEncoder");
  enc->add("layer", repeat(layer, s.layers));
  auto m = make("BlipTextModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  if (pooler) {
    auto p = make("BlipTextPooler");
    p->add("dense", linear(s.hidden, s.hidden));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  return m;
}

// BlipTextLMHeadModel under `attr`: bert (BlipTextModel without pooler) and cls.predictions (transform, decoder,
// bias); with tying, decoder.weight is the word embeddings and decoder.bias predictions.bias.
ModulePtr text_lm_head_model(const TextShape& s, bool tied, const std::string& attr) {
  auto transform = make("BlipTextPredictionHeadTransform");
  transform->add("dense", linear(s.hidden, s.hidden));
  transform->add("transform_act_fn", leaf(act_class(s.act)));
  transform->add("LayerNorm", layer_norm(s.hidden));
  auto pred = make("BlipTextLMPredictionHead");
  pred->add("transform", transform);
  pred->param("bias", {s.vocab});
  if (tied) {
    auto dec = make("Linear");
    dec->tie("weight", {s.vocab, s.hidden}, attr + ".bert.embeddings.word_embeddings.weight");
    dec->tie("bias", {s.vocab}, attr + ".cls.predictions.bias");
    pred->add("decoder", dec);
  } else {
    pred->add("decoder", linear(s.hidden, s.vocab));
  }
  auto mlm = make("BlipTextOnlyMLMHead");
  mlm->add("predictions", pred);
  auto m = make("BlipTextLMHeadModel");
  m->add("bert", text_model(s, false));
  m->add("cls", mlm);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "blip_vision_model");
  SubConfig tc = sub_config(c, "text_config", Json::object(), "blip_text_model");
  const int64_t vh = vc.c.i("hidden_size", 768);
  const TextShape s = text_shape(tc.c, vh);
  // Both BlipFor...'s _tied_weights_keys and BlipTextLMHeadModel's tie, each under its own config's flag.
  const bool tied = heads::ties_embeddings(c) || heads::ties_embeddings(tc.c);
  auto root = make(std::string(cls));
  if (cls == "BlipModel") {
    const int64_t proj = c.i("projection_dim", 512);
    root->add("text_model", text_model(s, true));
    root->add("vision_model", vision_model(vc.c));
    root->add("visual_projection", linear(vh, proj, false));
    root->add("text_projection", linear(s.hidden, proj, false));
    root->param("logit_scale", {});
  } else if (cls == "BlipForConditionalGeneration") {
    root->add("vision_model", vision_model(vc.c));
    root->add("text_decoder", text_lm_head_model(s, tied, "text_decoder"));
  } else if (cls == "BlipForQuestionAnswering") {
    root->add("vision_model", vision_model(vc.c));
    root->add("text_encoder", text_model(s, false));
    root->add("text_decoder", text_lm_head_model(s, tied, "text_decoder"));
  } else if (cls == "BlipForImageTextRetrieval") {
    const int64_t itm = c.i("image_text_hidden_size", 256);
    root->add("vision_model", vision_model(vc.c));
    root->add("text_encoder", text_model(s, false));
    root->add("vision_proj", linear(vh, itm));
    root->add("text_proj", linear(s.hidden, itm));
    root->add("itm_head", linear(s.hidden, 2));
  } else {
    heads::unsupported(cls);
  }
  return {root, {"BlipEncoderLayer", "BlipTextEmbeddings"}};
}

MEMFIT_FAMILY({"blip"}, "Blip", build);

}  // namespace
}  // namespace memfit
