// Idefics2: transformers' modeling_idefics2.py. Idefics2VisionTransformer (patch Conv2d, learned positions, encoder of
// biased k/v/q/out attention + fc1/fc2 MLP with two LayerNorms, post_layernorm), a connector (a gated MLP from the
// vision width to the text width, then a perceiver resampler: latents, layers of RMSNorms + GQA cross-attention +
// a 4x gated MLP, a final norm) and the text model AutoModel builds from text_config (Mistral by default).
// Idefics3 and SmolVLM (modeling_idefics3.py, modeling_smolvlm.py): the same vision transformer under their class names,
// a pixel-shuffle connector of one Linear, and the text model (no perceiver); idefics3_vision / smolvlm_vision: the
// vision transformer alone.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Idefics2MLP: gate_proj / up_proj [inter, in], down_proj [out, inter], bias-free.
ModulePtr mlp(int64_t in, int64_t inter, int64_t out, const std::string& act) {
  auto m = make("Idefics2MLP");
  m->add("gate_proj", linear(in, inter, false));
  m->add("up_proj", linear(in, inter, false));
  m->add("down_proj", linear(inter, out, false));
  m->add("act_fn", leaf(act_class(act)));
  return m;
}

ModulePtr vision_model(const Config& v, const std::string& p = "Idefics2") {
  int64_t h = media::dim(v, "hidden_size", 768), patch = media::dim(v, "patch_size", 32);
  int64_t side = media::dim(v, "image_size", 224) / patch, inter = media::dim(v, "intermediate_size", 3072);
  auto emb = make(p + "VisionEmbeddings");
  emb->add("patch_embedding", conv2d(media::dim(v, "num_channels", 3), h, patch));
  emb->add("position_embedding", embedding(side * side, h));
  auto fc = make(p + "VisionMLP");
  fc->add("activation_fn", leaf(act_class(v.s("hidden_act", "gelu_pytorch_tanh"))));
  fc->add("fc1", linear(h, inter));
  fc->add("fc2", linear(inter, h));
  auto layer = make(p + "EncoderLayer");
  layer->add("self_attn", media::kvq_attention(p + "VisionAttention", h));
  layer->add("layer_norm1", layer_norm(h));
  layer->add("mlp", fc);
  layer->add("layer_norm2", layer_norm(h));
  auto enc = make(p + "Encoder");
  enc->add("layers", repeat(layer, media::count(v, "num_hidden_layers", 12)));
  auto m = make(p + "VisionTransformer");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("post_layernorm", layer_norm(h));
  return m;
}

ModulePtr resampler(const Config& p, int64_t text_hidden) {
  int64_t h = p.has("hidden_size") ? media::dim(p, "hidden_size", text_hidden) : text_hidden;
  int64_t heads = media::dim(p, "resampler_n_heads", 16), head_dim = media::dim(p, "resampler_head_dim", 96);
  int64_t kv = media::dim(p, "num_key_value_heads", 4);
  std::string act = p.s("hidden_act", "silu");
  auto norm = [&] { return rms_norm("Idefics2RMSNorm", h); };
  auto layer = make("Idefics2PerceiverLayer");
  layer->add("input_latents_norm", norm());
  layer->add("input_context_norm", norm());
  layer->add("self_attn", qkvo_attention("Idefics2PerceiverAttention", {h, heads, kv, head_dim, false, false}));
  layer->add("post_attention_layernorm", norm());
  layer->add("mlp", mlp(h, 4 * h, h, act));
  auto r = make("Idefics2PerceiverResampler");
  r->param("latents", {media::dim(p, "resampler_n_latents", 64), h});
  r->add("layers", repeat(layer, media::count(p, "resampler_depth", 3)));
  r->add("norm", norm());
  return r;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "idefics2_vision");
  SubConfig pc = sub_config(c, "perceiver_config", Json::object(), "idefics2_perceiver");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "mistral"}}, "");
  Model text = auto_model(tc.c);
  int64_t th = tc.c.i("hidden_size");
  auto conn = make("Idefics2Connector");
  conn->add("modality_projection", mlp(media::dim(vc.c, "hidden_size", 768), tc.c.i("intermediate_size"), th,
                                       tc.c.s("hidden_act", "silu")));
  conn->add("perceiver_resampler", resampler(pc.c, th));
  auto m = make("Idefics2Model");
  m->add("vision_model", vision_model(vc.c));
  m->add("connector", conn);
  m->add("text_model", text.root);
  Model base{m, {"Idefics2VisionAttention", "Idefics2MLP", "Idefics2PerceiverLayer"}};
  merge_no_split(base.no_split, text.no_split);
  if (cls == "Idefics2Model") return base;
  if (cls != "Idefics2ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size"), c.b("tie_word_embeddings", false),
                                "model.text_model.embed_tokens.weight");
}

MEMFIT_FAMILY({"idefics2"}, "Idefics2", build);

// Idefics3Model / SmolVLMModel: the vision transformer, a connector whose modality_projection is one bias-free Linear
// from the pixel-shuffled vision width (hidden * scale_factor^2) to the text width, and AutoModel(text_config) (Llama
// by default). `p`: "Idefics3" or "SmolVLM".
Model idefics3(const Config& c, std::string_view cls, const std::string& p) {
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "llama"}}, "");
  int64_t vocab = media::dim(tc.c, "vocab_size", 32000), scale = media::dim(c, "scale_factor", 2);
  // The text model's nn.Embedding(vocab_size, hidden, padding_idx=pad_token_id) refuses a padding index past the
  // vocabulary (the default config's pad_token_id 128002 over LlamaConfig's 32000 tokens fails in transformers too).
  if (tc.c.has("pad_token_id")) {
    int64_t pad = tc.c.i("pad_token_id");
    media::require(tc.c, pad < vocab && pad >= -vocab,
                   "text_config.pad_token_id " + std::to_string(pad) + " is not below vocab_size " +
                       std::to_string(vocab) + " (nn.Embedding's padding_idx; transformers refuses it too)");
  }
  media::require(c, scale <= 64, "scale_factor too large");
  Model text = auto_model(tc.c);
  int64_t th = media::dim(tc.c, "hidden_size", 4096);
  auto mlp = make(p + "SimpleMLP");
  mlp->add("proj", linear(media::dim(vc.c, "hidden_size", 1152) * scale * scale, th, false));
  auto conn = make(p + "Connector");
  conn->add("modality_projection", mlp);
  auto m = make(p + "Model");
  m->add("vision_model", vision_model(vc.c, p));
  m->add("connector", conn);
  m->add("text_model", text.root);
  Model base{m, {p + "VisionAttention"}};
  merge_no_split(base.no_split, text.no_split);
  if (cls == p + "Model") return base;
  if (cls != p + "ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, vocab, c.b("tie_word_embeddings", false),
                                "model.text_model.embed_tokens.weight");
}
MEMFIT_FAMILY({"idefics3"}, "Idefics3",
              [](const Config& c, std::string_view cls) { return idefics3(c, cls, "Idefics3"); });
MEMFIT_FAMILY({"smolvlm"}, "SmolVLM", [](const Config& c, std::string_view cls) { return idefics3(c, cls, "SmolVLM"); });

// The vision towers alone (Idefics3's and SmolVLM's copies of Idefics2VisionTransformer).
Model vision_only(const Config& c, std::string_view cls, const std::string& p) {
  if (cls != p + "VisionTransformer") heads::unsupported(cls);
  return {vision_model(c, p), {p + "VisionAttention"}};
}
MEMFIT_FAMILY({"idefics3_vision"}, "Idefics3Vision",
              [](const Config& c, std::string_view cls) { return vision_only(c, cls, "Idefics3"); },
              "Idefics3VisionTransformer");
MEMFIT_FAMILY({"smolvlm_vision"}, "SmolVLMVision",
              [](const Config& c, std::string_view cls) { return vision_only(c, cls, "SmolVLM"); },
              "SmolVLMVisionTransformer");

}  // namespace
}  // namespace memfit
