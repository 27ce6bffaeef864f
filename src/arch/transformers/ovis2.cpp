// Ovis2: transformers' modeling_ovis2.py. Ovis2VisionModel: a transformer (Conv2d patches, a learned position table
// with position_ids, an RMSNorm; layers of k/v/q/out attention and a gated MLP between two RMSNorms; a final
// RMSNorm) and a head that maps each (hidden_stride^2-merged) patch onto the visual vocabulary (a bias-free Linear
// to vocab_size - num_visual_indicator_tokens, then a LayerNorm); the language model AutoModel builds from
// text_config; a visual embedding table [vision vocab_size, hidden_size].
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vision_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 1024), inter = media::dim(v, "intermediate_size", 2816);
  int64_t image = media::dim(v, "image_size", 224), patch = media::dim(v, "patch_size", 14);
  int64_t stride = media::dim(v, "hidden_stride", 1), vocab = media::dim(v, "vocab_size", 16384);
  int64_t indicators = media::count(v, "num_visual_indicator_tokens", 5);
  media::require(v, vocab > indicators, "vocab_size must exceed num_visual_indicator_tokens");
  bool qkv_bias = v.b("qkv_bias", false), mlp_bias = v.b("mlp_bias", false);
  auto norm = [&] { return rms_norm("Ovis2RMSNorm", h); };
  int64_t positions = (image / patch) * (image / patch);
  auto emb = make("Ovis2VisionEmbeddings");
  emb->add("patch_embedding", conv2d(media::dim(v, "num_channels", 3), h, patch));
  emb->add("position_embedding", embedding(positions, h));
  emb->buffer("position_ids", {1, positions}, DType::I64, false);
  emb->add("rms_norm", norm());
  auto attn = make("Ovis2VisionAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(h, h, qkv_bias));
  auto l = make("Ovis2VisionEncoderLayer");
  l->add("attention", attn);
  l->add("ffn", gated_mlp("Ovis2MLP", h, inter, mlp_bias, act_class(v.s("hidden_act", "silu"))));
  l->add("rms_norm1", norm());
  l->add("rms_norm2", norm());
  auto enc = make("Ovis2VisionEncoder");
  enc->add("layers", repeat(l, media::count(v, "num_hidden_layers", 24)));
  auto t = make("Ovis2VisionTransformer");
  t->add("embeddings", emb);
  t->add("encoder", enc);
  t->add("rms_norm", norm());
  auto m = make("Ovis2VisionModel");
  m->add("transformer", t);
  m->add("head_linear", linear(h * stride * stride, vocab - indicators, false));
  m->add("head_norm", layer_norm(vocab - indicators));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "qwen2"}}, "");
  Model text = auto_model(tc.c);
  int64_t h = media::dim(c, "hidden_size", 1536);
  auto m = make("Ovis2Model");
  m->add("vision_tower", vision_model(vc.c));
  m->add("language_model", text.root);
  m->add("visual_embeddings_table", embedding(media::dim(vc.c, "vocab_size", 16384), h, "Ovis2VisualEmbeddingTable"));
  Model base{m, {"Ovis2VisionAttention"}};
  merge_no_split(base.no_split, text.no_split);
  if (cls == "Ovis2Model") return base;
  if (cls != "Ovis2ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, h, media::dim(c, "vocab_size", 151643),
                                c.b("tie_word_embeddings", true));
}

MEMFIT_FAMILY({"ovis2"}, "Ovis2", build);

}  // namespace
}  // namespace memfit
