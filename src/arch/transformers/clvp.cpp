// CLVP (Tortoise TTS): transformers' modeling_clvp.py. ClvpModelForConditionalGeneration holds a conditioning
// encoder (text token / position embeddings, a 1x1 mel conv, GroupNorms and causal self-attention blocks), the
// speech decoder (ClvpForCausalLM: a GPT-2 style decoder with Conv1D MLPs, final_norm, lm_head with bias), and text
// and speech encoders (RMSNorm layers with a gated-linear-unit MLP, rotary inv_freq, projection), plus logit_scale.
// Attentions of configs with max_position_embeddings (the decoder's) keep a non-persistent bool causal mask.
#include <algorithm>

#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(const Config& c, bool decoder) {
  int64_t h = media::dim(c, "hidden_size", decoder ? 1024 : 768);
  media::divisible(c, h, media::dim(c, "num_attention_heads", decoder ? 16 : 12), "hidden_size / num_attention_heads");
  bool bias = c.b("use_attention_bias", decoder);
  auto m = make("ClvpSelfAttention");
  if (decoder) {
    int64_t n = media::dim(c, "max_position_embeddings", 608);
    m->buffer("bias", {1, 1, n, n}, DType::Bool, false);
  }
  m->add("k_proj", linear(h, h, bias));
  m->add("v_proj", linear(h, h, bias));
  m->add("q_proj", linear(h, h, bias));
  m->add("out_proj", linear(h, h));
  return m;
}

ModulePtr encoder(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768), inter = media::dim(c, "intermediate_size", 1536);
  auto glu = make("ClvpGatedLinearUnit");
  glu->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  glu->add("proj", linear(h, 2 * inter));
  auto mlp = make("ClvpEncoderMLP");
  mlp->add("fc1", glu);
  mlp->add("fc2", linear(inter, h));
  mlp->add("dropout_layer", leaf("Dropout"));
  auto l = make("ClvpEncoderLayer");
  l->add("self_attn", attention(c, false));
  l->add("mlp", mlp);
  l->add("input_rmsnorm", rms_norm("ClvpRMSNorm", h));
  l->add("post_attention_rmsnorm", rms_norm("ClvpRMSNorm", h));
  auto m = make("ClvpEncoder");
  m->add("token_embedding", embedding(media::dim(c, "vocab_size", 256), h));
  if (c.b("use_rotary_embedding", true)) {
    // dim = max(projection_dim // (num_attention_heads * 2), 32); inv_freq has dim / 2 entries (persistent).
    int64_t dim = std::max<int64_t>(media::dim(c, "projection_dim", 768) / (2 * media::dim(c, "num_attention_heads", 12)), 32);
    auto rot = make("ClvpRotaryPositionalEmbedding");
    rot->buffer("inv_freq", {(dim + 1) / 2}, DType::F32);
    m->add("rotary_pos_emb", rot);
  }
  m->add("layers", repeat(l, media::count(c, "num_hidden_layers", 20)));
  m->add("sequence_summary", leaf("ClvpSequenceSummary"));
  m->add("final_layer_norm", layer_norm(h));
  m->add("projection", linear(h, media::dim(c, "projection_dim", 768), false));
  return m;
}

ModulePtr causal_lm(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1024);
  int64_t inner = c.has("n_inner") ? media::dim(c, "n_inner", 4 * h) : 4 * h;
  auto mlp = make("ClvpDecoderMLP");
  mlp->add("c_fc", conv1d_gpt2(inner, h));
  mlp->add("c_proj", conv1d_gpt2(h, inner));
  mlp->add("act", leaf(act_class(c.s("activation_function", "gelu_new"))));
  mlp->add("dropout", leaf("Dropout"));
  auto l = make("ClvpDecoderLayer");
  l->add("input_layernorm", layer_norm(h));
  l->add("attn", attention(c, true));
  l->add("post_attention_layernorm", layer_norm(h));
  l->add("mlp", mlp);
  auto dec = make("ClvpDecoder");
  int64_t vocab = media::dim(c, "vocab_size", 8194);
  dec->add("input_embeds_layer", embedding(vocab, h));
  dec->add("position_embeds_layer", embedding(media::dim(c, "max_position_embeddings", 608), h));
  dec->add("drop", leaf("Dropout"));
  dec->add("layers", repeat(l, media::count(c, "num_hidden_layers", 30)));
  dec->add("layer_norm", layer_norm(h));
  auto model = make("ClvpModel");
  model->add("decoder", dec);
  auto m = make("ClvpForCausalLM");
  m->add("model", model);
  m->add("final_norm", layer_norm(h));
  m->add("lm_head", linear(h, vocab));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "ClvpModelForConditionalGeneration") heads::unsupported(cls);
  Config tc = c.sub("text_config"), dc = c.sub("decoder_config");
  int64_t h = media::dim(dc, "hidden_size", 1024), blocks_n = media::count(dc, "num_mel_attn_blocks", 6);
  auto cond = make("ClvpConditioningEncoder");
  cond->add("text_token_embedding", embedding(media::dim(tc, "vocab_size", 256), h));
  cond->add("text_position_embedding", embedding(media::dim(dc, "max_text_tokens", 404), h));
  cond->add("mel_conv", media::conv1d(media::dim(dc, "feature_size", 80), h, 1));
  cond->add("group_norms", repeat(layer_norm(h, true, "GroupNorm"), blocks_n));
  cond->add("mel_attn_blocks", repeat(attention(dc, true), blocks_n));
  auto m = make("ClvpModelForConditionalGeneration");
  m->param("logit_scale", {});
  m->add("conditioning_encoder", cond);
  m->add("speech_decoder_model", causal_lm(dc));
  m->add("text_encoder_model", encoder(tc));
  m->add("speech_encoder_model", encoder(c.sub("speech_config")));
  return {m, {}};
}

MEMFIT_FAMILY({"clvp"}, "Clvp", build, "ClvpModelForConditionalGeneration");

}  // namespace
}  // namespace memfit
