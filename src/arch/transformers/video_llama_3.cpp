// VideoLLaMA3: transformers' modeling_video_llama_3.py. VideoLlama3VisionModel: a float32 rotary table
// (inv_freq [ceil(head_dim / 4)], not persistent), a Conv2d patch embedding without position table, SigLIP-style
// pre-norm layers (k/v/q/out_proj, fc1/fc2) and post_layernorm; a projector Sequential(Linear, GELU, Linear) and the
// language model AutoModel builds from text_config (Qwen2 by default).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model vision_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 768), inter = media::dim(v, "intermediate_size", 3072);
  int64_t heads = media::dim(v, "num_attention_heads", 12), patch = media::dim(v, "patch_size", 16);
  media::divisible(v, h, heads, "hidden_size / num_attention_heads");
  auto rope = make("VideoLlama3VisionRotaryEmbedding");
  rope->buffer("inv_freq", {(h / heads / 2 + 1) / 2}, DType::F32, false);
  auto emb = make("VideoLlama3VisionEmbeddings");
  emb->add("patch_embedding", conv2d(media::dim(v, "num_channels", 3), h, patch));
  auto attn = make("VideoLlama3VisionAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(h, h));
  auto mlp = make("VideoLlama3VisionMLP");
  mlp->add("activation_fn", leaf(act_class(v.s("hidden_act", "gelu_pytorch_tanh"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto l = make("VideoLlama3VisionEncoderLayer");
  l->add("layer_norm1", layer_norm(h));
  l->add("self_attn", attn);
  l->add("layer_norm2", layer_norm(h));
  l->add("mlp", mlp);
  auto enc = make("VideoLlama3VisionEncoder");
  enc->add("layers", repeat(l, media::count(v, "num_hidden_layers", 12)));
  auto m = make("VideoLlama3VisionModel");
  m->add("rotary_pos_emb", rope);
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("post_layernorm", layer_norm(h));
  return {m, {"VideoLlama3VisionEncoderLayer"}};
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "video_llama_3_vision"}}, "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "qwen2"}}, "");
  Model vision = auto_model(vc.c), text = auto_model(tc.c);
  int64_t vh = media::dim(vc.c, "hidden_size", 768), th = media::dim(tc.c, "hidden_size", 3584);
  auto readout = make("Sequential");
  readout->add("0", linear(vh, th));
  readout->add("1", leaf("GELU"));
  readout->add("2", linear(th, th));
  auto proj = make("VideoLlama3Projector");
  proj->add("readout", readout);
  auto m = make("VideoLlama3Model");
  m->add("vision_model", vision.root);
  m->add("projector", proj);
  m->add("language_model", text.root);
  Model base{m, vision.no_split};
  merge_no_split(base.no_split, text.no_split);
  if (cls == "VideoLlama3Model") return base;
  if (cls != "VideoLlama3ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 152064),
                                c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"video_llama_3"}, "VideoLlama3", build);
MEMFIT_FAMILY({"video_llama_3_vision"}, "VideoLlama3Vision", [](const Config& c, std::string_view cls) {
  if (cls != "VideoLlama3VisionModel") heads::unsupported(cls);
  return vision_model(c);
}, "VideoLlama3VisionModel");

}  // namespace
}  // namespace memfit
