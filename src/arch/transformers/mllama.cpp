// Mllama (Llama 3.2 Vision): transformers' modeling_mllama.py. MllamaVisionModel (bias-free patch Conv2d, class
// embedding, gated position and tile embeddings, a local `transformer` and a gated `global_transformer`),
// MllamaTextModel (vocab + 8 embeddings; self-attention layers, and at cross_attention_layers cross-attention layers
// with per-head q/k norms and tanh gates) and a multi_modal_projector Linear(vision_output_dim, hidden).
#include <algorithm>

#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vision_encoder(const Config& v, int64_t h, int64_t n, bool gated) {
  auto l = make("MllamaVisionEncoderLayer");
  l->add("self_attn", qkvo_attention("MllamaVisionAttention", {h, 1, 1, h, false, false}));
  auto mlp = make("MllamaVisionMLP");
  mlp->add("activation_fn", leaf(act_class(v.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, media::dim(v, "intermediate_size", 5120)));
  mlp->add("fc2", linear(media::dim(v, "intermediate_size", 5120), h));
  l->add("mlp", mlp);
  l->add("input_layernorm", layer_norm(h));
  l->add("post_attention_layernorm", layer_norm(h));
  if (gated) l->param("gate_attn", {1}).param("gate_ffn", {1});
  auto e = make("MllamaVisionEncoder");
  e->add("layers", repeat(l, n));
  return e;
}

ModulePtr vision_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 1280), patch = media::dim(v, "patch_size", 14);
  int64_t tiles = media::dim(v, "max_num_tiles", 4), patches = (media::dim(v, "image_size", 448) / patch);
  patches = patches * patches + 1;
  int64_t ratios = 8;  // max_aspect_ratio_id = len(supported_aspect_ratios)
  if (auto r = v.raw().find("supported_aspect_ratios"); r != v.raw().end() && r->is_array())
    ratios = static_cast<int64_t>(r->size());
  auto aspect = [&] {
    auto a = make("MllamaPrecomputedAspectRatioEmbedding");
    a->add("embedding", embedding(ratios + 1, tiles * h));
    a->param("gate", {1});
    return a;
  };
  auto pos = make("MllamaPrecomputedPositionEmbedding");
  pos->param("gate", {1});
  pos->param("embedding", {patches, h});
  pos->add("tile_embedding", embedding(ratios + 1, tiles * patches * h));

  auto m = make("MllamaVisionModel");
  m->add("patch_embedding", conv2d(media::dim(v, "num_channels", 3), h, patch, false));
  m->param("class_embedding", {h});
  m->add("gated_positional_embedding", pos);
  m->add("pre_tile_positional_embedding", aspect());
  m->add("post_tile_positional_embedding", aspect());
  m->add("layernorm_pre", layer_norm(h));
  m->add("layernorm_post", layer_norm(h));
  m->add("transformer", vision_encoder(v, h, media::count(v, "num_hidden_layers", 32), false));
  m->add("global_transformer", vision_encoder(v, h, media::count(v, "num_global_layers", 8), true));
  return m;
}

ModulePtr text_model(const Config& t, DecoderSpec& s) {
  s = read_decoder(t, "MllamaText");
  auto cross = make("MllamaCrossAttentionDecoderLayer");
  auto xa = qkvo_attention("MllamaTextCrossAttention", {s.hidden, s.heads, s.kv_heads, s.head_dim, false, false});
  xa->add("q_norm", rms_norm("MllamaTextRMSNorm", s.head_dim));
  xa->add("k_norm", rms_norm("MllamaTextRMSNorm", s.head_dim));
  cross->add("cross_attn", xa);
  cross->add("input_layernorm", rms_norm("MllamaTextRMSNorm", s.hidden));
  cross->param("cross_attn_attn_gate", {1});
  cross->add("mlp", gated_mlp("MllamaTextMLP", s.hidden, s.inter, false, act_class(s.act)));
  cross->add("post_attention_layernorm", rms_norm("MllamaTextRMSNorm", s.hidden));
  cross->param("cross_attn_mlp_gate", {1});
  auto self = decoder_layer(s);
  self->cls = "MllamaSelfAttentionDecoderLayer";
  std::vector<int64_t> at = t.has("cross_attention_layers") ? t.ints("cross_attention_layers")
                                                             : std::vector<int64_t>{3, 8, 13, 18, 23, 28, 33, 38};
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < checked_count(s.layers); ++i)
    layers.push_back(std::find(at.begin(), at.end(), i) != at.end() ? cross : self);
  auto m = make("MllamaTextModel");
  m->add("embed_tokens", embedding(s.vocab + 8, s.hidden));
  m->add("layers", module_list(std::move(layers)));
  m->add("norm", rms_norm("MllamaTextRMSNorm", s.hidden));
  m->add("rotary_emb", rotary("MllamaRotaryEmbedding", s.head_dim));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"MllamaVisionEncoderLayer", "MllamaCrossAttentionDecoderLayer",
                                    "MllamaSelfAttentionDecoderLayer"};
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "mllama_vision_model");
  SubConfig tc = sub_config(c, "text_config", Json::object(), "mllama_text_model");
  DecoderSpec s;
  auto m = make("MllamaModel");
  m->add("vision_model", vision_model(vc.c));
  m->add("language_model", text_model(tc.c, s));
  m->add("multi_modal_projector", linear(media::dim(vc.c, "vision_output_dim", 7680), s.hidden));
  Model base{m, no_split};
  if (cls == "MllamaModel") return base;
  if (cls != "MllamaForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, s.hidden, s.vocab, c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"mllama"}, "Mllama", build);

}  // namespace
}  // namespace memfit
