// BLT, the Byte Latent Transformer: transformers' modeling_blt.py (BltModel, BltForCausalLM). Four Llama-style
// stacks of BltTransformerLayer (q/k/v/o with head_dim = hidden / heads, gated MLP, two RMSNorms), each with its own
// RoPE table: local_encoder (layers, rotary_emb, patch_embedding_projection hidden -> hidden x cross_attn_k,
// byte embed_tokens, cross-attention layers with q/k RMSNorms over the hidden width: one, or one per layer with
// cross_attn_all_layers), global_transformer (layers, rotary_emb, a token_embedding_projection Linear when the
// encoder's hidden x the model's cross_attn_k differs from the global width), local_decoder (layers, rotary_emb,
// patch_embedding_projection hidden_size_global -> hidden x cross_attn_k, norm, cross-attention layers), the hash
// n-gram table encoder_hash_tok_embedding [vocab x groups x functions, encoder hidden] and, with patch_in_forward,
// the entropy patcher (rotary_emb, layers, embed_tokens, norm, lm_head).
#include <algorithm>

#include <fmt/format.h>

#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Stack {
  int64_t hidden, heads, kv_heads, inter, layers, rope_dim;
};

Stack read_stack(const Config& c, int64_t hidden_def, int64_t heads_def, int64_t layers_def, bool own_head_dim) {
  Stack s{media::dim(c, "hidden_size", hidden_def), media::dim(c, "num_attention_heads", heads_def), 0, 0,
          media::count(c, "num_hidden_layers", layers_def), 0};
  s.kv_heads = c.has("num_key_value_heads") ? media::dim(c, "num_key_value_heads", s.heads) : s.heads;
  media::divisible(c, s.hidden, s.heads, "hidden_size / num_attention_heads");
  media::divisible(c, s.heads, s.kv_heads, "num_attention_heads / num_key_value_heads");
  // intermediate_size or int(8 * hidden_size / 3)
  s.inter = c.has("intermediate_size") ? media::dim(c, "intermediate_size", 1) : 8 * s.hidden / 3;
  // The local encoder keeps a head_dim from the file; the other stacks set it to hidden / heads.
  const int64_t hd = own_head_dim && c.has("head_dim") ? media::dim(c, "head_dim", 1) : s.hidden / s.heads;
  s.rope_dim = rope_dim(hd, 1.0);
  return s;
}

ModulePtr attention(const Stack& s, bool cross) {
  const int64_t hd = s.hidden / s.heads;
  auto a = qkvo_attention(cross ? "BltCrossAttention" : "BltSelfAttention", {s.hidden, s.heads, s.kv_heads, hd});
  if (cross) {
    a->add("q_norm", rms_norm("BltRMSNorm", s.hidden));
    a->add("k_norm", rms_norm("BltRMSNorm", s.hidden));
  }
  return a;
}

ModulePtr layers(const Config& c, const Stack& s) {
  auto l = make("BltTransformerLayer");
  l->add("self_attn", attention(s, false));
  l->add("mlp", gated_mlp("BltMLP", s.hidden, s.inter, false, act_class(c.s("hidden_act", "silu"))));
  l->add("input_layernorm", rms_norm("BltRMSNorm", s.hidden));
  l->add("post_attention_layernorm", rms_norm("BltRMSNorm", s.hidden));
  return repeat(l, s.layers);
}

ModulePtr cross_layers(const Config& c, const Stack& s, bool all_default) {
  return repeat(attention(s, true), c.b("cross_attn_all_layers", all_default) ? s.layers : 1);
}

Model blt_model(const Config& c) {
  SubConfig ec = sub_config(c, "encoder_config", {{"model_type", "blt_local_encoder"}}, "blt_local_encoder");
  SubConfig dc = sub_config(c, "decoder_config", {{"model_type", "blt_local_decoder"}}, "blt_local_decoder");
  SubConfig gc = sub_config(c, "global_config", {{"model_type", "blt_global_transformer"}}, "blt_global_transformer");
  const Stack e = read_stack(ec.c, 1024, 16, 1, true), d = read_stack(dc.c, 1024, 16, 9, false);
  const Stack g = read_stack(gc.c, 2048, 16, 25, false);

  auto enc = make("BltLocalEncoder");
  enc->add("layers", layers(ec.c, e));
  enc->add("rotary_emb", rotary("BltRotaryEmbedding", e.rope_dim));
  enc->add("patch_embedding_projection", linear(e.hidden, e.hidden * media::dim(ec.c, "cross_attn_k", 2), false));
  enc->add("embed_tokens", embedding(media::dim(ec.c, "vocab_size", 260), e.hidden));
  enc->add("cross_attn_layers", cross_layers(ec.c, e, false));

  auto glob = make("BltGlobalTransformer");
  glob->add("layers", layers(gc.c, g));
  glob->add("rotary_emb", rotary("BltRotaryEmbedding", g.rope_dim));
  const int64_t cross_out = e.hidden * media::dim(c, "cross_attn_k", 2);
  glob->add("token_embedding_projection",
            cross_out != g.hidden ? linear(cross_out, g.hidden, false) : leaf("Identity"));

  auto dec = make("BltLocalDecoder");
  dec->add("layers", layers(dc.c, d));
  dec->add("rotary_emb", rotary("BltRotaryEmbedding", d.rope_dim));
  dec->add("patch_embedding_projection", linear(media::dim(dc.c, "hidden_size_global", 2048),
                                                d.hidden * media::dim(dc.c, "cross_attn_k", 2), false));
  dec->add("norm", rms_norm("BltRMSNorm", d.hidden));
  dec->add("cross_attn_layers", cross_layers(dc.c, d, true));

  auto m = make("BltModel");
  m->add("local_encoder", enc);
  m->add("global_transformer", glob);
  m->add("local_decoder", dec);
  const std::vector<int64_t> groups = media::dims(c, "encoder_hash_byte_group_size", {3, 4, 5, 6, 7, 8});
  const int64_t tables = media::dim(c, "encoder_hash_byte_group_nb_functions", 1) * static_cast<int64_t>(groups.size());
  const int64_t rows = media::dim(c, "encoder_hash_byte_group_vocab", 500002);
  media::require(c, rows <= media::kMaxDim / std::max<int64_t>(tables, 1), "hash embedding rows too many");
  m->add("encoder_hash_tok_embedding", embedding(rows * tables, e.hidden));
  if (c.b("patch_in_forward", true)) {
    SubConfig pc = sub_config(c, "patcher_config", {{"model_type", "blt_patcher"}}, "blt_patcher");
    const Stack p = read_stack(pc.c, 768, 12, 14, false);
    const int64_t vocab = media::dim(pc.c, "vocab_size", 260);
    auto patcher = make("BltPatcher");
    patcher->add("rotary_emb", rotary("BltRotaryEmbedding", p.rope_dim));
    patcher->add("layers", layers(pc.c, p));
    patcher->add("embed_tokens", embedding(vocab, p.hidden));
    patcher->add("norm", rms_norm("BltRMSNorm", p.hidden));
    patcher->add("lm_head", linear(p.hidden, vocab, false));
    m->add("patcher", patcher);
  }
  return Model{m, {"BltTransformerLayer"}};
}

MEMFIT_FAMILY({"blt"}, "Blt", [](const Config& c, std::string_view cls) {
  Model m = blt_model(c);
  if (cls == "BltModel") return m;
  if (cls != "BltForCausalLM") heads::unsupported(cls);
  SubConfig dc = sub_config(c, "decoder_config", {{"model_type", "blt_local_decoder"}}, "blt_local_decoder");
  auto root = make("BltForCausalLM");
  root->add("model", m.root);
  // With tie_word_embeddings the encoder's byte table and lm_head are one tensor (counted once either way).
  root->add("lm_head", heads::lm_head(media::dim(dc.c, "hidden_size", 1024), media::dim(c, "vocab_size", 260),
                                      c.b("tie_word_embeddings", false), "model.local_encoder.embed_tokens.weight"));
  m.root = root;
  return m;
});

}  // namespace
}  // namespace memfit
