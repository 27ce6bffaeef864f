// Moshi's temporal transformer and Kyutai's speech-to-text decoder: transformers' modeling_moshi.py (MoshiModel,
// MoshiForCausalLM) and modeling_kyutai_speech_to_text.py (KyutaiSpeechToTextModel). Each attention holds its own
// RoPE module (inv_freq / original_inv_freq, not persistent) and q/k/v/o projections wrapped in <P>Linear
// (`.linear`, no bias); the gated MLP is fc1 (hidden -> ffn_dim) and fc2 (ffn_dim / 2 -> hidden). Kyutai's
// embeddings add one table row per audio codebook token and a non-persistent int64 audio_tokens_offsets
// [num_codebooks + 1]. The depth decoder and the Mimi codec of the ...ForConditionalGeneration classes are not built.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr proj(const std::string& p, int64_t in, int64_t out) {
  auto m = make(p + "Linear");
  m->add("linear", linear(in, out, false));
  return m;
}

ModulePtr decoder_layer(const Config& c, const std::string& p, int64_t h) {
  int64_t heads = media::dim(c, "num_attention_heads", 32), kv = media::dim(c, "num_key_value_heads", heads);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t hd = media::dim(c, "head_dim", h / heads), ffn = media::dim(c, "ffn_dim", 22528);
  auto attn = make(p + "Attention");
  attn->add("q_proj", proj(p, h, heads * hd));
  attn->add("k_proj", proj(p, h, kv * hd));
  attn->add("v_proj", proj(p, h, kv * hd));
  attn->add("o_proj", proj(p, heads * hd, h));
  attn->add("rotary_emb", rotary(p + "RotaryEmbedding", hd));
  auto mlp = make(p + "GatingMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "silu"))));
  mlp->add("fc1", linear(h, ffn, false));
  mlp->add("fc2", linear(ffn / 2, h, false));
  auto l = make(p + "DecoderLayer");
  l->add("self_attn", attn);
  l->add("mlp", mlp);
  l->add("input_layernorm", rms_norm(p + "RMSNorm", h));
  l->add("post_attention_layernorm", rms_norm(p + "RMSNorm", h));
  return l;
}

ModulePtr base_model(const Config& c, const std::string& p) {
  int64_t h = media::dim(c, "hidden_size", 4096), vocab = media::dim(c, "vocab_size", 32000);
  auto m = make(p + "Model");
  if (p == "Moshi") {
    m->add("embed_tokens", embedding(vocab + 1, h));
  } else {
    int64_t books = media::count(c, "num_codebooks", 32);
    auto e = make(p + "Embeddings");
    e->add("embed_tokens", embedding(vocab + books * media::dim(c, "codebook_vocab_size", 2049) + 1, h));
    e->buffer("audio_tokens_offsets", {books + 1}, DType::I64, false);
    m->add("embed_tokens", e);
  }
  m->add("layers", repeat(decoder_layer(c, p, h), media::count(c, "num_hidden_layers", 32)));
  m->add("norm", rms_norm(p + "RMSNorm", h));
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& p) {
  std::vector<std::string> no_split{p + "DecoderLayer"};
  if (cls == p + "Model") return {base_model(c, p), no_split};
  if (p != "Moshi" || cls != "MoshiForCausalLM") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("model", base_model(c, p));
  root->add("lm_head", linear(media::dim(c, "hidden_size", 4096), media::dim(c, "vocab_size", 32000), false));
  return {root, no_split};
}

MEMFIT_FAMILY({"moshi"}, "Moshi", [](const Config& c, std::string_view cls) { return build(c, cls, "Moshi"); });
MEMFIT_FAMILY({"kyutai_speech_to_text"}, "KyutaiSpeechToText",
              [](const Config& c, std::string_view cls) { return build(c, cls, "KyutaiSpeechToText"); });

}  // namespace
}  // namespace memfit
