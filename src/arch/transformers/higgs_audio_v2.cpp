// Higgs Audio v2: transformers' modeling_higgs_audio_v2.py. A Llama decoder whose every layer also holds an audio
// branch (audio_mlp and its two RMSNorms, used on audio-token positions), plus one table of num_codebooks *
// codebook_size audio-token embeddings with a non-persistent int64 offsets buffer. AutoModel builds
// HiggsAudioV2ForConditionalGeneration: the model and audio_lm_head (the text head only with use_text_head).
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kHiggs = "HiggsAudioV2";

ModulePtr model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 3072), heads = media::dim(c, "num_attention_heads", 24);
  int64_t kv = media::dim(c, "num_key_value_heads", heads), inter = media::dim(c, "intermediate_size", 8192);
  int64_t head_dim = c.has("head_dim") ? media::dim(c, "head_dim", 128) : h / heads;
  bool bias = c.b("attention_bias", false), mlp_bias = c.b("mlp_bias", false);
  std::string act = act_class(c.s("hidden_act", "silu"));
  auto norm = [&] { return rms_norm(kHiggs + "RMSNorm", h); };
  auto l = make(kHiggs + "DecoderLayer");
  l->add("self_attn", qkvo_attention(kHiggs + "Attention", {h, heads, kv, head_dim, bias, bias}));
  l->add("mlp", gated_mlp(kHiggs + "MLP", h, inter, mlp_bias, act));
  l->add("input_layernorm", norm());
  l->add("post_attention_layernorm", norm());
  l->add("audio_mlp", gated_mlp(kHiggs + "MLP", h, inter, mlp_bias, act));
  l->add("audio_input_layernorm", norm());
  l->add("audio_post_attention_layernorm", norm());
  int64_t books = media::dim(c, "num_codebooks", 8), size = media::dim(c, "codebook_size", 1024);
  auto audio = make(kHiggs + "Embeddings");
  audio->add("embed_audio_tokens", embedding(books * size, h));
  audio->buffer("audio_tokens_offsets", {books}, DType::I64, false);
  auto m = make(kHiggs + "Model");
  m->add("embed_tokens", embedding(media::dim(c, "vocab_size", 128256), h));
  m->add("layers", repeat(l, media::count(c, "num_hidden_layers", 28)));
  m->add("norm", norm());
  m->add("rotary_emb", rotary(kHiggs + "RotaryEmbedding", head_dim));
  m->add("embed_audio_tokens", audio);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{kHiggs + "DecoderLayer"};
  if (cls == kHiggs + "Model") return {model(c), no_split};
  if (cls != kHiggs + "ForConditionalGeneration") heads::unsupported(cls);
  auto root = make(kHiggs + "ForConditionalGeneration");
  root->add("model", model(c));
  root->add("audio_lm_head", linear(media::dim(c, "hidden_size", 3072),
                                    media::dim(c, "num_codebooks", 8) * media::dim(c, "codebook_size", 1024), false));
  return {root, no_split};
}

MEMFIT_FAMILY({"higgs_audio_v2"}, "HiggsAudioV2", build, "HiggsAudioV2ForConditionalGeneration");

}  // namespace
}  // namespace memfit
