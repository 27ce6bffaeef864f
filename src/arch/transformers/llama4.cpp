// Llama 4: transformers' modeling_llama4.py. Llama4ForConditionalGeneration (what AutoModel builds) = vision_model
// (unfold patch embedding, class/positional embeddings, complex freqs_ci rotary buffer, LayerNorm encoder, pixel-
// shuffle adapter), multi_modal_projector and language_model (Llama4ForCausalLM: MoE layers with experts fused as
// gate_up_proj [E, H, 2I] / down_proj [E, I, H], a router and a shared expert, saved fused).
#include <algorithm>

#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr text_model(const Config& c, DecoderSpec& s) {
  s.prefix = "Llama4Text";
  s.vocab = moe::count(c, {"vocab_size"}, 202048);
  s.hidden = moe::count(c, {"hidden_size"}, 5120);
  s.layers = moe::count(c, {"num_hidden_layers"}, 48);
  s.heads = moe::count(c, {"num_attention_heads"}, 40);
  s.kv_heads = moe::count(c, {"num_key_value_heads"}, 8);
  s.head_dim = moe::count(c, {"head_dim"}, 128);
  s.inter = moe::count(c, {"intermediate_size"}, 8192);
  s.act = c.s("hidden_act", "silu");
  s.tie_embeddings = heads::ties_embeddings(c, false);
  moe::check(c, s);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  int64_t experts = moe::experts_count(c, {"num_local_experts"}, 16), inter_mlp = moe::count(c, {"intermediate_size_mlp"}, 16384);
  int64_t step = moe::count(c, {"interleave_moe_layer_step"}, 1), nope_every = moe::count(c, {"no_rope_layer_interval"}, 4);
  std::vector<int64_t> moe_layers, rope_layers;
  if (c.has("moe_layers")) {
    moe_layers = c.ints("moe_layers");
  } else {
    for (int64_t i = step - 1; i < s.layers; i += step) moe_layers.push_back(i);
  }
  if (c.has("no_rope_layers") && !c.ints("no_rope_layers").empty()) rope_layers = c.ints("no_rope_layers");
  for (int64_t i = static_cast<int64_t>(rope_layers.size()); i < s.layers; ++i)
    rope_layers.push_back((i + 1) % nope_every != 0);
  bool qk_norm = c.b("use_qk_norm", true);
  std::string act = act_class(s.act);

  auto mlp = [&](int64_t inter) {
    auto m = make("Llama4TextMLP");
    m->add("gate_proj", linear(s.hidden, inter, false));
    m->add("up_proj", linear(s.hidden, inter, false));
    m->add("down_proj", linear(inter, s.hidden, false));
    m->add("activation_fn", leaf(act));
    return m;
  };
  auto ex = make("Llama4TextExperts");
  ex->param("gate_up_proj", {experts, s.hidden, 2 * s.inter}).param("down_proj", {experts, s.inter, s.hidden});
  ex->add("act_fn", leaf(act));
  auto sparse = make("Llama4TextMoe");
  sparse->add("experts", ex);
  sparse->add("router", linear(s.hidden, experts, false))->cls = "Llama4Router";
  sparse->add("shared_expert", mlp(s.inter));
  auto dense = mlp(inter_mlp);
  // Layer kinds: {NoPE, RoPE (with the parameterless qk_norm)} x {dense, MoE}, each one shared node.
  ModulePtr kinds[2][2];
  for (int rope = 0; rope < 2; ++rope) {
    auto attn = qkvo_attention("Llama4TextAttention", {s.hidden, s.heads, s.kv_heads, s.head_dim, s.qkv_bias, s.o_bias});
    if (rope && qk_norm) attn->add("qk_norm", leaf("Llama4TextL2Norm"));
    for (int is_moe = 0; is_moe < 2; ++is_moe) {
      auto l = make("Llama4TextDecoderLayer");
      l->add("self_attn", attn);
      l->add("feed_forward", is_moe ? sparse : dense);
      l->add("input_layernorm", rms_norm("Llama4TextRMSNorm", s.hidden));
      l->add("post_attention_layernorm", rms_norm("Llama4TextRMSNorm", s.hidden));
      kinds[rope][is_moe] = l;
    }
  }
  s.layer = [&](int64_t i) {
    return kinds[rope_layers[i] != 0][std::count(moe_layers.begin(), moe_layers.end(), i) > 0];
  };
  auto m = decoder_model(s);
  s.layer = nullptr;  // it points at this frame's locals
  m->cls = "Llama4TextModel";
  return m;
}

ModulePtr causal_lm(const Config& c) {
  DecoderSpec s;
  auto root = make("Llama4ForCausalLM");
  root->add("model", text_model(c, s));
  root->add("lm_head", heads::lm_head(s.hidden, s.vocab, s.tie_embeddings, "model.embed_tokens.weight"));
  return root;
}

ModulePtr vision_model(const Config& v) {
  int64_t h = moe::count(v, {"hidden_size"}, 768), layers = moe::count(v, {"num_hidden_layers"}, 34);
  int64_t heads = moe::count(v, {"num_attention_heads"}, 16), ch = moe::count(v, {"num_channels"}, 3);
  int64_t inter = moe::count(v, {"intermediate_size"}, 5632), image = moe::count(v, {"image_size"}, 448);
  int64_t patch = moe::count(v, {"patch_size"}, 14), pin = moe::count(v, {"projector_input_dim"}, 4096);
  int64_t pout = moe::count(v, {"projector_output_dim"}, 4096);
  int64_t side = image / patch, freq_dim = h / heads / 2;

  auto pe = make("Llama4UnfoldConvolution");
  pe->add("unfold", leaf("Unfold"));
  pe->add("linear", linear(ch * patch * patch, h, false));
  auto layer = make("Llama4VisionEncoderLayer");
  layer->add("self_attn", qkvo_attention("Llama4VisionAttention", {h, heads, heads, h / heads, true, true}));
  auto mlp = make("Llama4VisionMLP");
  mlp->add("activation_fn", leaf("GELU"));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  layer->add("mlp", mlp);
  layer->add("input_layernorm", layer_norm(h));
  layer->add("post_attention_layernorm", layer_norm(h));
  auto mlp2 = make("Llama4VisionMLP2");
  mlp2->add("fc1", linear(inter, pin, false));
  mlp2->add("fc2", linear(pout, pout, false));
  mlp2->add("activation_fn", leaf("GELU"));

  auto m = make("Llama4VisionModel");
  m->add("patch_embedding", pe);
  m->param("class_embedding", {h});
  m->param("positional_embedding_vlm", {side * side + 1, h});
  m->add("rotary_embedding", make("Llama4VisionRotaryEmbedding"))
      ->buffer("freqs_ci", {side * side + 1, 1, 2 * (freq_dim / 2)}, DType::C64, false);
  m->add("layernorm_pre", layer_norm(h));
  m->add("layernorm_post", layer_norm(h));
  m->add("model", make("Llama4VisionEncoder"))->add("layers", repeat(layer, layers));
  m->add("vision_adapter", make("Llama4VisionPixelShuffleMLP"))->add("mlp", mlp2);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "Llama4ForConditionalGeneration") heads::unsupported(cls);
  Config v = c.sub("vision_config"), t = c.sub("text_config");
  auto root = make("Llama4ForConditionalGeneration");
  root->add("vision_model", vision_model(v));
  auto proj = make("Llama4MultiModalProjector");
  proj->add("linear_1", linear(moe::count(v, {"vision_output_dim"}, 7680), moe::count(t, {"hidden_size"}, 5120), false));
  root->add("multi_modal_projector", proj);
  root->add("language_model", causal_lm(t));
  return {root, {"Llama4TextDecoderLayer", "Llama4VisionEncoderLayer"}};
}

Model build_text(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"Llama4TextDecoderLayer"};
  DecoderSpec s;
  if (cls == "Llama4TextModel") return {text_model(c, s), no_split};
  if (cls == "Llama4ForCausalLM") return {causal_lm(c), no_split};
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"llama4"}, "Llama4", build, "Llama4ForConditionalGeneration");
MEMFIT_FAMILY({"llama4_text"}, "Llama4", build_text, "Llama4TextModel");

}  // namespace
}  // namespace memfit
