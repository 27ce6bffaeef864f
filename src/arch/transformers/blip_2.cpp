// BLIP-2: transformers' modeling_blip_2.py (EVA ViT vision model, Q-Former with query tokens, projection into a
// causal language model that AutoModelForCausalLM builds, lm_head included). InstructBLIP (modeling_instructblip.py)
// and InstructBLIP-Video (modeling_instructblipvideo.py): the same parts under their prefix, a Q-Former with its own
// embeddings (word, position, LayerNorm, position_ids) and text feed-forwards in every layer, and a language model
// that AutoModel builds (AutoModelForCausalLM only in ...ForConditionalGeneration).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Blip2VisionModel with Blip2VisionConfig's defaults (EVA ViT-g); `p` is the class prefix.
ModulePtr vision_model(const Config& c, const std::string& p) {
  int64_t h = c.i("hidden_size", 1408), inter = c.i("intermediate_size", 6144), layers = c.i("num_hidden_layers", 39);
  int64_t image = c.i("image_size", 224), patch = c.i("patch_size", 14);
  if (h <= 0 || patch <= 0 || image / patch > 100000 || layers < 0 || layers > 100000) c.missing("patch_size");
  int64_t positions = (image / patch) * (image / patch) + 1;
  auto emb = make(p + "VisionEmbeddings");
  emb->param("class_embedding", {1, 1, h});
  emb->add("patch_embedding", conv2d(3, h, patch));
  emb->param("position_embedding", {1, positions, h});
  auto attn = make(p + "Attention");
  attn->add("qkv", linear(h, 3 * h, c.b("qkv_bias", true)));
  attn->add("projection", linear(h, h));
  auto mlp = make(p + "MLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto layer = make(p + "EncoderLayer");
  layer->add("self_attn", attn);
  layer->add("layer_norm1", layer_norm(h));
  layer->add("mlp", mlp);
  layer->add("layer_norm2", layer_norm(h));
  auto enc = make(p + "Encoder");
  enc->add("layers", repeat(layer, layers));
  auto m = make(p + "VisionModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("post_layernorm", layer_norm(h));
  return m;
}

// Blip2QFormerModel with Blip2QFormerConfig's defaults: BERT-style layers, cross-attention every
// cross_attention_frequency layers.
ModulePtr qformer(const Config& c, const std::string& p) {
  bool instruct = p != "Blip2";
  int64_t h = c.i("hidden_size", 768), inter = c.i("intermediate_size", 3072), layers = c.i("num_hidden_layers", 12);
  int64_t enc_h = c.i("encoder_hidden_size", 1408), freq = c.i("cross_attention_frequency", 2);
  if (h <= 0 || freq <= 0) c.missing("cross_attention_frequency");
  checked_count(layers, "qformer num_hidden_layers");
  std::string act = act_class(c.s("hidden_act", "gelu"));
  auto attention = [&](bool cross) {
    auto mha = make(p + "QFormerMultiHeadAttention");
    mha->add("query", linear(h, h));
    mha->add("key", linear(cross ? enc_h : h, h));
    mha->add("value", linear(cross ? enc_h : h, h));
    auto out = make(p + "QFormerSelfOutput");
    out->add("dense", linear(h, h));
    out->add("LayerNorm", layer_norm(h));
    out->add("dropout", leaf("Dropout"));
    auto a = make(p + "QFormerAttention");
    a->add("attention", mha);
    a->add("output", out);
    return a;
  };
  auto intermediate = [&] {
    auto m = make(p + "QFormerIntermediate");
    m->add("dense", linear(h, inter));
    m->add("intermediate_act_fn", leaf(act));
    return m;
  };
  auto output = [&] {
    auto m = make(p + "QFormerOutput");
    m->add("dense", linear(inter, h));
    m->add("LayerNorm", layer_norm(h));
    m->add("dropout", leaf("Dropout"));
    return m;
  };
  auto make_layer = [&](bool cross) {
    auto l = make(p + "QFormerLayer");
    l->add("attention", attention(false));
    if (cross) l->add("crossattention", attention(true));
    if (instruct || c.b("use_qformer_text_input", false)) {
      l->add("intermediate", intermediate());
      l->add("output", output());
    }
    l->add("intermediate_query", intermediate());
    l->add("output_query", output());
    return l;
  };
  ModulePtr with_cross = make_layer(true), without = make_layer(false);
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < layers; ++i) ls.push_back(i % freq == 0 ? with_cross : without);
  auto enc = make(p + "QFormerEncoder");
  enc->add("layer", module_list(std::move(ls)));
  auto m = make(p + "QFormerModel");
  if (instruct) {
    int64_t positions = c.i("max_position_embeddings", 512);
    auto emb = make(p + "QFormerEmbeddings");
    emb->add("word_embeddings", embedding(c.i("vocab_size", 30522), h));
    emb->add("position_embeddings", embedding(positions, h));
    emb->add("layernorm", layer_norm(h));
    emb->add("dropout", leaf("Dropout"));
    emb->buffer("position_ids", {1, positions}, DType::I64, false);
    m->add("embeddings", emb);
  } else {
    m->add("layernorm", layer_norm(h));
    m->add("dropout", leaf("Dropout"));
  }
  m->add("encoder", enc);
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& p) {
  bool instruct = p != "Blip2";
  if (cls != p + "Model" && cls != p + "ForConditionalGeneration") heads::unsupported(cls);
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "");
  SubConfig qc = sub_config(c, "qformer_config", Json::object(), "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "opt"}}, "opt");
  int64_t qh = qc.c.i("hidden_size", 768);
  // InstructBlipModel holds AutoModel's base model; BLIP-2 and every ...ForConditionalGeneration the causal LM.
  Model lm = instruct && cls == p + "Model" ? auto_model(tc.c) : auto_causal_lm(tc.c, "language_model");
  auto root = make(std::string(cls));
  root->add("vision_model", vision_model(vc.c, p));
  root->param("query_tokens", {1, c.i("num_query_tokens", 32), qh});
  root->add("qformer", qformer(qc.c, p));
  root->add("language_projection", linear(qh, tc.c.i("hidden_size", 768)));
  root->add("language_model", lm.root);
  Model m{root, {p + "Attention", p + "QFormerMultiHeadAttention", p + "EncoderLayer", p + "TextEmbeddings",
                 p + "VisionEmbeddings"}};
  if (instruct)
    m.no_split = {p + "QFormerEmbeddings", p + "Attention", p + "EncoderLayer", p + "QFormerLayer",
                  p + "QFormerMultiHeadAttention", p + "QFormerSelfOutput"};
  merge_no_split(m.no_split, lm.no_split);
  return m;
}

MEMFIT_FAMILY({"blip-2"}, "Blip2", [](const Config& c, std::string_view cls) { return build(c, cls, "Blip2"); });
// The Q-Former alone (AutoModel of a blip_2_qformer config, e.g. Granite Speech's projector).
MEMFIT_FAMILY({"blip_2_qformer"}, "Blip2QFormer", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Blip2QFormerModel") heads::unsupported(cls);
  return {qformer(c, "Blip2"), {"Blip2Attention", "Blip2QFormerMultiHeadAttention", "Blip2EncoderLayer",
                                "Blip2TextEmbeddings", "Blip2VisionEmbeddings"}};
});
MEMFIT_FAMILY({"instructblip"}, "InstructBlip",
              [](const Config& c, std::string_view cls) { return build(c, cls, "InstructBlip"); });
MEMFIT_FAMILY({"instructblipvideo"}, "InstructBlipVideo",
              [](const Config& c, std::string_view cls) { return build(c, cls, "InstructBlipVideo"); });

}  // namespace
}  // namespace memfit
