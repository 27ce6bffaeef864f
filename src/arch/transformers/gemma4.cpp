// Gemma 4 (text-only gemma4_text and the multimodal gemma4 with its own vision encoder): transformers'
// modeling_gemma4.py. Full-attention layers use global_head_dim (and num_global_key_value_heads, sharing K as V
// when attention_k_eq_v); optional per-layer embeddings (PLE) and MoE blocks; a conformer audio tower.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const Json kTextDefaults{{"vocab_size", 262144},    {"hidden_size", 2304},      {"intermediate_size", 9216},
                         {"num_hidden_layers", 30}, {"num_attention_heads", 8}, {"num_key_value_heads", 4},
                         {"head_dim", 256}};

ModulePtr norm(int64_t dim) { return rms_norm("Gemma4RMSNorm", dim); }
ModulePtr unscaled_norm() { return make("Gemma4RMSNorm"); }

std::vector<std::string> layer_types(const Config& c, int64_t layers) {
  auto t = c.strings("layer_types");
  if (t.empty())
    for (int64_t i = 0; i < layers; ++i) t.push_back((i + 1) % 6 ? "sliding_attention" : "full_attention");
  if (static_cast<int64_t>(t.size()) != layers) c.missing("layer_types");
  if (!t.empty()) t.back() = "full_attention";
  return t;
}

// inv_freq length for a layer type: head_dim/2, reduced by partial_rotary_factor unless the rope is
// "proportional" (which keeps the full width).
int64_t rope_len(const Config& c, const std::string& type, int64_t head_dim) {
  double partial = 1.0;
  if (auto rp = c.opt_sub("rope_parameters"))
    if (auto r = rp->opt_sub(type); r && r->s("rope_type", "default") != "proportional")
      partial = r->f("partial_rotary_factor", 1.0);
  return static_cast<int64_t>(head_dim * partial) / 2;
}

ModulePtr scaled_embedding(int64_t n, int64_t d) {
  auto e = embedding(n, d, "Gemma4TextScaledWordEmbedding");
  e->buffer("embed_scale", {}, DType::F32, false);
  return e;
}

Model text_model(const Config& c) {
  int64_t vocab = c.i("vocab_size"), h = c.i("hidden_size"), inter = c.i("intermediate_size");
  int64_t layers = c.i("num_hidden_layers"), heads = c.i("num_attention_heads"), kv = c.i("num_key_value_heads");
  int64_t head_dim = c.i("head_dim"), global_dim = c.i("global_head_dim", 512);
  if (h <= 0 || head_dim <= 0) c.missing("hidden_size");
  checked_count(layers, "num_hidden_layers");
  bool k_eq_v = c.b("attention_k_eq_v", false), bias = c.b("attention_bias", false);
  int64_t global_kv = k_eq_v ? c.i("num_global_key_value_heads", kv) : kv;
  int64_t ple = c.i("hidden_size_per_layer_input", 256), shared = c.i("num_kv_shared_layers", 0);
  std::string act = act_class(c.s("hidden_activation", "gelu_pytorch_tanh"));
  auto types = layer_types(c, layers);
  int64_t first_shared = layers - shared;

  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < layers; ++i) {
    bool full = types[i] == "full_attention", kv_shared = i >= first_shared && first_shared >= 0;
    int64_t hd = full ? global_dim : head_dim, nkv = full ? global_kv : kv;
    auto a = make("Gemma4TextAttention");
    a->add("q_proj", linear(h, heads * hd, bias));
    a->add("q_norm", norm(hd));
    if (!kv_shared) {
      a->add("k_norm", norm(hd));
      a->add("v_norm", unscaled_norm());
      a->add("k_proj", linear(h, nkv * hd, bias));
      if (!(k_eq_v && full)) a->add("v_proj", linear(h, nkv * hd, bias));
    }
    a->add("o_proj", linear(heads * hd, h, bias));
    bool wide = c.b("use_double_wide_mlp", false) && i >= first_shared && first_shared > 0;
    auto l = make("Gemma4TextDecoderLayer");
    l->add("self_attn", a);
    l->add("mlp", gated_mlp("Gemma4TextMLP", h, inter * (wide ? 2 : 1), false, act));
    for (const char* n : {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                          "post_feedforward_layernorm"})
      l->add(n, norm(h));
    l->buffer("layer_scalar", {1}, DType::F32);
    if (ple) {
      l->add("act_fn", leaf(act));
      l->add("per_layer_input_gate", linear(h, ple, false));
      l->add("per_layer_projection", linear(ple, h, false));
      l->add("post_per_layer_input_norm", norm(h));
    }
    if (c.b("enable_moe_block", false)) {
      int64_t experts = c.i("num_experts"), moe_inter = c.i("moe_intermediate_size");
      if (experts <= 0 || experts > 100000) c.missing("num_experts");
      auto router = make("Gemma4TextRouter");
      router->add("norm", unscaled_norm());
      router->add("proj", linear(h, experts, false));
      router->param("scale", {h}).param("per_expert_scale", {experts});
      auto ex = make("Gemma4TextExperts");
      ex->param("gate_up_proj", {experts, 2 * moe_inter, h}).param("down_proj", {experts, h, moe_inter});
      ex->add("act_fn", leaf(act));
      l->add("router", router);
      l->add("experts", ex);
      for (const char* n : {"post_feedforward_layernorm_1", "post_feedforward_layernorm_2", "pre_feedforward_layernorm_2"})
        l->add(n, norm(h));
    }
    ls.push_back(l);
  }

  auto m = make("Gemma4TextModel");
  m->add("embed_tokens", scaled_embedding(vocab, h));
  m->add("layers", module_list(std::move(ls)));
  m->add("norm", norm(h));
  auto rope = make("Gemma4TextRotaryEmbedding");
  for (const char* t : {"sliding_attention", "full_attention"}) {
    if (std::find(types.begin(), types.end(), t) == types.end()) continue;
    int64_t n = rope_len(c, t, std::string(t) == "full_attention" ? global_dim : head_dim);
    rope->buffer(std::string(t) + "_inv_freq", {n}, DType::F32, false);
    rope->buffer(std::string(t) + "_original_inv_freq", {n}, DType::F32, false);
  }
  m->add("rotary_emb", rope);
  if (ple) {
    m->add("embed_tokens_per_layer", scaled_embedding(c.i("vocab_size_per_layer_input", 262144), layers * ple));
    m->add("per_layer_model_projection", linear(h, layers * ple, false));
    m->add("per_layer_projection_norm", norm(ple));
  }
  return {m, {"Gemma4TextDecoderLayer", "Gemma4VisionEncoderLayer", "Gemma4VisionPatchEmbedder", "Gemma4AudioLayer"}};
}

// Gemma4ClippableLinear; use_clipped_linears defaults to false for vision, true for audio.
ModulePtr clippable(const Config& v, int64_t in, int64_t out, bool clip_default = false) {
  auto m = make("Gemma4ClippableLinear");
  m->add("linear", linear(in, out, false));
  if (v.b("use_clipped_linears", clip_default))
    for (const char* n : {"input_min", "input_max", "output_min", "output_max"}) m->buffer(n, {}, DType::F32);
  return m;
}

// Gemma4AudioModel with Gemma4AudioConfig's defaults: subsampling convs, a USM-style conformer (two half-step
// feed-forwards, chunked local attention with relative positions, a light depthwise conv), output projection.
ModulePtr audio_model(const Config& a) {
  int64_t h = a.i("hidden_size", 1024), heads = a.i("num_attention_heads", 8), k = a.i("conv_kernel_size", 5);
  if (h <= 0 || heads <= 0) a.missing("num_attention_heads");
  std::vector<int64_t> ch{128, 32};
  if (a.has("subsampling_conv_channels")) ch = a.ints("subsampling_conv_channels");
  if (ch.size() != 2) a.missing("subsampling_conv_channels");
  auto sub = make("Gemma4AudioSubSampleConvProjection");
  for (int i = 0; i < 2; ++i) {
    auto l = make("Gemma4AudioSubSampleConvProjectionLayer");
    l->add("conv", conv2d(i ? ch[0] : 1, ch[i], 3, false));
    l->add("norm", layer_norm(ch[i], false));
    l->add("act", leaf("ReLU"));
    sub->add("layer" + std::to_string(i), l);
  }
  sub->add("input_proj_linear", linear(ch[0] / 4 * ch[1], h, false));
  auto rel = make("Gemma4AudioRelPositionalEncoding");
  rel->buffer("inv_timescales", {1, 1, h / 2}, DType::F32, false);

  auto ffw = make("Gemma4AudioFeedForward");
  ffw->add("ffw_layer_1", clippable(a, h, 4 * h, true));
  ffw->add("ffw_layer_2", clippable(a, 4 * h, h, true));
  ffw->add("pre_layer_norm", norm(h));
  ffw->add("post_layer_norm", norm(h));
  auto attn = make("Gemma4AudioAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj", "post"}) attn->add(n, clippable(a, h, h, true));
  attn->add("relative_k_proj", linear(h, h, false));
  attn->param("per_dim_scale", {h / heads});
  attn->buffer("softcap", {}, DType::F32, false);
  auto lconv = make("Gemma4AudioLightConv1d");
  lconv->add("linear_start", clippable(a, h, 2 * h, true));
  lconv->add("linear_end", clippable(a, h, h, true));
  auto dw = make("Gemma4AudioCausalConv1d");
  dw->param("weight", {h, 1, k});
  lconv->add("depthwise_conv1d", dw);
  lconv->add("pre_layer_norm", norm(h));
  lconv->add("conv_norm", norm(h));
  auto layer = make("Gemma4AudioLayer");
  layer->add("feed_forward1", ffw);
  layer->add("feed_forward2", ffw);
  layer->add("self_attn", attn);
  layer->add("lconv1d", lconv);
  for (const char* n : {"norm_pre_attn", "norm_post_attn", "norm_out"}) layer->add(n, norm(h));
  auto m = make("Gemma4AudioModel");
  m->add("subsample_conv_projection", sub);
  m->add("rel_pos_enc", rel);
  m->add("layers", repeat(layer, a.i("num_hidden_layers", 12)));
  m->add("output_proj", linear(h, a.i("output_proj_dims", 1536)));
  return m;
}

// Gemma4VisionModel with Gemma4VisionConfig's defaults.
ModulePtr vision_model(const Config& v) {
  int64_t h = v.i("hidden_size", 768), inter = v.i("intermediate_size", 3072), layers = v.i("num_hidden_layers", 16);
  int64_t heads = v.i("num_attention_heads", 12), kv = v.i("num_key_value_heads", 12), hd = v.i("head_dim", 64);
  int64_t patch = v.i("patch_size", 16);
  if (layers < 0 || layers > 100000 || patch <= 0 || patch > 4096) v.missing("num_hidden_layers");
  auto pe = make("Gemma4VisionPatchEmbedder");
  pe->add("input_proj", linear(3 * patch * patch, h, false));
  pe->param("position_embedding_table", {2, v.i("position_embedding_size", 10240), h});
  auto a = make("Gemma4VisionAttention");
  a->add("q_proj", clippable(v, h, heads * hd));
  a->add("k_proj", clippable(v, h, kv * hd));
  a->add("v_proj", clippable(v, h, kv * hd));
  a->add("o_proj", clippable(v, heads * hd, h));
  a->add("q_norm", norm(hd));
  a->add("k_norm", norm(hd));
  a->add("v_norm", unscaled_norm());
  auto mlp = make("Gemma4VisionMLP");
  mlp->add("gate_proj", clippable(v, h, inter));
  mlp->add("up_proj", clippable(v, h, inter));
  mlp->add("down_proj", clippable(v, inter, h));
  mlp->add("act_fn", leaf(act_class(v.s("hidden_activation", "gelu_pytorch_tanh"))));
  auto l = make("Gemma4VisionEncoderLayer");
  l->add("self_attn", a);
  l->add("mlp", mlp);
  for (const char* n : {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                        "post_feedforward_layernorm"})
    l->add(n, norm(h));
  auto enc = make("Gemma4VisionEncoder");
  auto rope = make("Gemma4VisionRotaryEmbedding");  // per spatial axis: (head_dim/2)/2 frequencies
  rope->buffer("inv_freq", {(hd / 2 + 1) / 2}, DType::F32, false);
  rope->buffer("original_inv_freq", {(hd / 2 + 1) / 2}, DType::F32, false);
  enc->add("rotary_emb", rope);
  enc->add("layers", repeat(l, layers));
  auto m = make("Gemma4VisionModel");
  m->add("patch_embedder", pe);
  m->add("encoder", enc);
  m->add("pooler", leaf("Gemma4VisionPooler"));
  if (v.b("standardize", false)) m->buffer("std_bias", {h}, DType::F32).buffer("std_scale", {h}, DType::F32);
  return m;
}

Model gemma4_text(const Config& c, std::string_view cls) {
  SubConfig tc = make_config(kTextDefaults, c.raw(), c.model_type());
  Model base = text_model(tc.c);
  if (cls == "Gemma4TextModel") return base;
  if (cls != "Gemma4ForCausalLM") heads::unsupported(cls);
  auto root = make("Gemma4ForCausalLM");
  root->add("model", base.root);
  root->add("lm_head", heads::lm_head(tc.c.i("hidden_size"), tc.c.i("vocab_size"), heads::ties_embeddings(c, true),
                                      "model.embed_tokens.weight"));
  base.root = root;
  return base;
}

Model gemma4(const Config& c, std::string_view cls) {
  SubConfig tc = sub_config(c, "text_config", kTextDefaults, "gemma4_text");
  Model text = text_model(tc.c);
  int64_t th = tc.c.i("hidden_size");
  auto m = make("Gemma4Model");
  auto vcfg = c.opt_sub("vision_config");
  if (vcfg) m->add("vision_tower", vision_model(*vcfg));
  m->add("language_model", text.root);
  auto acfg = c.opt_sub("audio_config");
  if (acfg) m->add("audio_tower", audio_model(*acfg));
  auto embedder = [&](int64_t mm_hidden) {
    auto e = make("Gemma4MultimodalEmbedder");
    e->add("embedding_projection", linear(mm_hidden, th, false));
    e->add("embedding_pre_projection_norm", unscaled_norm());
    return e;
  };
  if (vcfg) m->add("embed_vision", embedder(vcfg->i("hidden_size", 768)));
  if (acfg) m->add("embed_audio", embedder(acfg->i("output_proj_dims", 1536)));
  Model base{m, text.no_split};
  if (cls == "Gemma4Model") return base;
  if (cls != "Gemma4ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size"), c.b("tie_word_embeddings", true));
}

MEMFIT_FAMILY({"gemma4_text"}, "Gemma4Text", gemma4_text, "Gemma4TextModel");
MEMFIT_FAMILY({"gemma4"}, "Gemma4", gemma4);
// The audio tower on its own (AutoModel of a gemma4_audio config); _no_split_modules is the family's.
MEMFIT_FAMILY({"gemma4_audio"}, "Gemma4Audio", [](const Config& c, std::string_view cls) {
  if (cls != "Gemma4AudioModel") heads::unsupported(cls);
  return Model{audio_model(c),
               {"Gemma4AudioLayer", "Gemma4TextDecoderLayer", "Gemma4VisionEncoderLayer", "Gemma4VisionPatchEmbedder"}};
}, "Gemma4AudioModel");
// The vision tower on its own (AutoModel of a gemma4_vision config): Gemma4Model's vision_tower.
MEMFIT_FAMILY({"gemma4_vision"}, "Gemma4Vision", [](const Config& c, std::string_view cls) {
  if (cls != "Gemma4VisionModel") heads::unsupported(cls);
  return Model{vision_model(c),
               {"Gemma4TextDecoderLayer", "Gemma4VisionEncoderLayer", "Gemma4VisionPatchEmbedder", "Gemma4AudioLayer"}};
}, "Gemma4VisionModel");

// Gemma 4 Unified's text model (gemma4_unified_text, modeling_gemma4_unified.py): Gemma 4's text layers without
// per-layer embeddings or MoE blocks (its config class deletes those keys).
MEMFIT_FAMILY({"gemma4_unified_text"}, "Gemma4UnifiedText", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Gemma4UnifiedTextModel") heads::unsupported(cls);
  Json j = c.raw();
  j["hidden_size_per_layer_input"] = 0;
  j["enable_moe_block"] = false;
  Model m = text_model(Config(j, c.model_type()));
  m.root->cls = "Gemma4UnifiedTextModel";  // its layers keep Gemma 4's class names (no_split matches them)
  return m;
});

}  // namespace
}  // namespace memfit
