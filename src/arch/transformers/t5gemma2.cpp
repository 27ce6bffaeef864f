// T5Gemma 2: transformers' modeling_t5gemma2.py. T5Gemma2Model: encoder (text_model: a Gemma-3-style encoder;
// vision_tower: the SigLIP vision model AutoModel builds from encoder.vision_config; multi_modal_projector: a
// Parameter [vision hidden, text hidden] and an RMSNorm over the vision width) and decoder (the same layers with
// merged self/cross attention). Both stacks' embed_tokens are T5Gemma2TextScaledWordEmbedding: weight, a 0-d float32
// embed_scale buffer and an eoi_embedding [hidden]; with tie_word_embeddings the decoder's weight and eoi_embedding
// share the encoder's, and the LM head's out_proj shares the encoder's weight. Layers: q/k/v/o with per-head q/k
// norms, four RMSNorms around attention and MLP (gate/up/down); RoPE tables per layer type.
#include <fmt/format.h>

#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "T5Gemma2";

ModulePtr layer(const Config& c, bool decoder) {
  const int64_t h = media::dim(c, "hidden_size", 2304), heads = media::dim(c, "num_attention_heads", 8);
  const int64_t kv = media::dim(c, "num_key_value_heads", 4), hd = media::dim(c, "head_dim", 256);
  auto attn = qkvo_attention(kP + (decoder ? "MergedAttention" : "SelfAttention"),
                             {h, heads, kv, hd, c.b("attention_bias", false), c.b("attention_bias", false)});
  attn->add("q_norm", rms_norm(kP + "RMSNorm", hd));
  attn->add("k_norm", rms_norm(kP + "RMSNorm", hd));
  auto mlp = gated_mlp(kP + "MLP", h, media::dim(c, "intermediate_size", 9216), false,
                       act_class(c.s("hidden_activation", "gelu_pytorch_tanh")));
  mlp->add("dropout", leaf("Dropout"));
  auto l = make(kP + (decoder ? "DecoderLayer" : "EncoderLayer"));
  l->add("self_attn", attn);
  l->add("pre_self_attn_layernorm", rms_norm(kP + "RMSNorm", h));
  l->add("post_self_attn_layernorm", rms_norm(kP + "RMSNorm", h));
  l->add("mlp", mlp);
  l->add("pre_feedforward_layernorm", rms_norm(kP + "RMSNorm", h));
  l->add("post_feedforward_layernorm", rms_norm(kP + "RMSNorm", h));
  l->add("dropout", leaf("Dropout"));
  return l;
}

// The text encoder or the decoder; `tie_to` (the encoder's embed_tokens, full name) shares the decoder's table.
ModulePtr text_stack(const Config& c, bool decoder, const std::string& tie_to) {
  const int64_t h = media::dim(c, "hidden_size", 2304), vocab = media::dim(c, "vocab_size", 262208);
  const int64_t layers = media::count(c, "num_hidden_layers", 26);
  std::vector<std::string> types = c.strings("layer_types");
  if (types.empty()) {  // __post_init__: every sliding_window_pattern-th layer (default 6) is full attention
    const int64_t pattern = media::dim(c, "sliding_window_pattern", 6);
    for (int64_t i = 0; i < layers; ++i) types.push_back((i + 1) % pattern ? "sliding_attention" : "full_attention");
  }
  if (static_cast<int64_t>(types.size()) != layers)
    throw ConfigError(fmt::format("`layer_types` lists {} layers, not {} (model_type `{}`)", types.size(), layers,
                                  c.model_type()));
  auto emb = make(kP + "TextScaledWordEmbedding");
  if (tie_to.empty()) {
    emb->param("weight", {vocab, h});
    emb->buffer("embed_scale", {}, DType::F32, false);
    emb->param("eoi_embedding", {h});
  } else {
    emb->tie("weight", {vocab, h}, tie_to + ".weight");
    emb->buffer("embed_scale", {}, DType::F32, false);
    emb->tie("eoi_embedding", {h}, tie_to + ".eoi_embedding");
  }
  auto m = make(kP + (decoder ? "Decoder" : "TextEncoder"));
  m->add("embed_tokens", emb);
  m->add("norm", rms_norm(kP + "RMSNorm", h));
  m->add("layers", repeat(layer(c, decoder), layers));
  m->add("dropout", leaf("Dropout"));
  m->add("rotary_emb", rotary_per_layer_type(c, kP + "RotaryEmbedding", media::dim(c, "head_dim", 256), types));
  return m;
}

Model t5gemma2_model(const Config& c, const std::string& base) {
  SubConfig enc = sub_config(c, "encoder", {{"model_type", "t5gemma2_encoder"}}, "t5gemma2_encoder");
  SubConfig dec = sub_config(c, "decoder", {{"model_type", "t5gemma2_decoder"}}, "t5gemma2_decoder");
  SubConfig tc = sub_config(enc.c, "text_config", {{"model_type", "t5gemma2_text"}}, "t5gemma2_text");
  SubConfig vc = sub_config(enc.c, "vision_config", {{"model_type", "siglip_vision_model"}}, "siglip_vision_model");
  const int64_t th = media::dim(tc.c, "hidden_size", 2304), dh = media::dim(dec.c, "hidden_size", 2304);
  if (th != dh || media::dim(tc.c, "vocab_size", 262208) != media::dim(dec.c, "vocab_size", 262208))
    throw ConfigError("T5Gemma2 needs the encoder's and decoder's hidden_size and vocab_size to match");
  Model vision = vision_tower_for(vc.c);
  const int64_t vh = media::dim(vc.c, "hidden_size", 768);
  auto proj = make(kP + "MultiModalProjector");
  proj->param("mm_input_projection_weight", {vh, th});
  proj->add("mm_soft_emb_norm", rms_norm(kP + "RMSNorm", vh));
  proj->add("avg_pool", leaf("AvgPool2d"));
  auto encoder = make(kP + "Encoder");
  encoder->add("text_model", text_stack(tc.c, false, ""));
  encoder->add("vision_tower", vision.root);
  encoder->add("multi_modal_projector", proj);
  const std::string shared = base + "encoder.text_model.embed_tokens";
  auto m = make(kP + "Model");
  m->add("encoder", encoder);
  m->add("decoder", text_stack(dec.c, true, c.b("tie_word_embeddings", true) ? shared : ""));
  Model out{m, {kP + "EncoderLayer", kP + "DecoderLayer"}};
  merge_no_split(out.no_split, vision.no_split);
  return out;
}

MEMFIT_FAMILY({"t5gemma2"}, "T5Gemma2", [](const Config& c, std::string_view cls) {
  if (cls == kP + "Model") return t5gemma2_model(c, "");
  Model m = t5gemma2_model(c, "model.");
  auto root = make(std::string(cls));
  root->add("model", m.root);
  SubConfig dec = sub_config(c, "decoder", {{"model_type", "t5gemma2_decoder"}}, "t5gemma2_decoder");
  const int64_t h = media::dim(dec.c, "hidden_size", 2304);
  if (cls == kP + "ForConditionalGeneration") {
    auto head = make(kP + "LMHead");
    head->add("out_proj", heads::lm_head(h, media::dim(dec.c, "vocab_size", 262208), c.b("tie_word_embeddings", true),
                                         "model.encoder.text_model.embed_tokens.weight"));
    root->add("lm_head", head);
  } else if (cls == kP + "ForSequenceClassification" || cls == kP + "ForTokenClassification") {
    auto score = make(kP + "ClassificationHead");
    score->add("dropout", leaf("Dropout"));
    score->add("out_proj", linear(h, heads::num_labels(c)));
    root->add("score", score);
  } else {
    heads::unsupported(cls);
  }
  m.root = root;
  return m;
}, "", "T5Gemma2ForConditionalGeneration");

}  // namespace
}  // namespace memfit
