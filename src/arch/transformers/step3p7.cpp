// Step-3.7 (transformers' modeling_step3p7.py). Step3p7Model: vision_model (a patch Conv2d without bias and a
// learned position table, pre_layernorm, a 2-D RoPE table over head_dim / 2, pre-norm layers with layer-scale
// lambdas, two stride-2 Conv2d downsamplers doubling the width each), language_model (Step3p7TextModel) and a
// Linear multi_modal_projector (vision hidden x 4 -> text hidden). The text layers' attention has Gemma-style per-head
// q/k norms and a g_proj output gate (one per head when `gating` is True or "per-head", else one per channel), its
// head count per layer from `per_layer_config` (sliding layers: num_sliding_attention_heads); the MLP is dense
// (Step3p7MLP) or a MoE block of router (with e_score_correction_bias), fused experts and a shared expert.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/moe.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model vision_model(const Config& v) {
  const int64_t h = media::dim(v, "hidden_size", 1536), heads = media::dim(v, "num_attention_heads", 16);
  const int64_t patch = media::dim(v, "patch_size", 14), image = media::dim(v, "image_size", 728);
  media::divisible(v, h, heads, "hidden_size / num_attention_heads");
  // __post_init__ always recomputes intermediate_size = int(hidden_size * mlp_ratio) (a given one is overwritten).
  const auto inter = static_cast<int64_t>(static_cast<double>(h) * v.f("mlp_ratio", 8960.0 / 1536));
  media::require(v, inter >= 1 && inter <= media::kMaxDim, "intermediate_size = int(hidden_size * mlp_ratio)");
  const int64_t positions = (image / patch) * (image / patch);
  media::require(v, positions >= 1 && positions <= media::kMaxDim, "(image_size // patch_size)^2");

  auto emb = make("Step3p7VisionEmbeddings");
  emb->add("patch_embedding", conv2d(media::dim(v, "num_channels", 3), h, patch, false));
  emb->add("position_embedding", embedding(positions, h));
  emb->buffer("position_ids", {1, positions}, DType::I64, false);
  // compute_default_rope_parameters: arange(0, head_dim // 2, 2) per spatial axis.
  const int64_t spatial = h / heads / 2;
  auto rope = make("Step3p7VisionRotaryEmbedding");
  rope->buffer("inv_freq", {(spatial + 1) / 2}, DType::F32, false);
  rope->buffer("original_inv_freq", {(spatial + 1) / 2}, DType::F32, false);

  auto attn = make("Step3p7VisionAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(h, h));
  auto mlp = make("Step3p7VisionMLP");
  mlp->add("activation_fn", leaf(act_class(v.s("hidden_act", "quick_gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto layer = make("Step3p7VisionEncoderLayer");
  layer->param("lambda_1", {h});
  layer->param("lambda_2", {h});
  layer->add("self_attn", attn);
  layer->add("mlp", mlp);
  layer->add("layernorm_before", layer_norm(h));
  layer->add("layernorm_after", layer_norm(h));

  auto m = make("Step3p7VisionModel");
  m->add("embeddings", emb);
  m->add("pre_layernorm", layer_norm(h));
  m->add("rotary_emb", rope);
  m->add("layers", repeat(layer, media::count(v, "num_hidden_layers", 47)));
  m->add("downsampler1", conv2d(h, 2 * h, 3));
  m->add("downsampler2", conv2d(2 * h, 4 * h, 3));
  return {m, {"Step3p7VisionEncoderLayer"}};
}

// A per-layer list from the file; legacy hub configs pad it with num_nextn_predict_layers MTP entries, which
// __post_init__ trims off.
std::vector<std::string> per_layer(const Config& c, std::string_view key, int64_t n) {
  std::vector<std::string> v = c.strings(key);
  const int64_t mtp = c.i("num_nextn_predict_layers", 0);
  if (mtp > 0 && static_cast<int64_t>(v.size()) == n + mtp) v.resize(n);
  if (!v.empty() && static_cast<int64_t>(v.size()) != n)
    throw ConfigError(fmt::format("`{}` lists {} layers, not {} (model_type `{}`)", key, v.size(), n, c.model_type()));
  return v;
}

// Which layers hold the MoE block: mlp_layer_types, else the legacy `moe_layers_enum` (a comma-separated string or a
// list of layer indices), else every layer from index 3 on, as Step3p7TextConfig.__post_init__ fills it.
std::vector<bool> sparse_layers(const Config& c, int64_t n) {
  std::vector<bool> out(checked_count(n));
  if (c.has("mlp_layer_types")) {
    const std::vector<std::string> types = per_layer(c, "mlp_layer_types", n);
    for (int64_t i = 0; i < n; ++i) out[i] = types[i] == "sparse";
    return out;
  }
  if (!c.has("moe_layers_enum")) {
    for (int64_t i = 3; i < n; ++i) out[i] = true;
    return out;
  }
  const Json& e = c.raw()["moe_layers_enum"];
  auto mark = [&](const std::string& item) {
    size_t a = item.find_first_not_of(' '), b = item.find_last_not_of(' ');
    if (a == std::string::npos) return;
    int64_t i = 0;
    try {
      i = std::stoll(item.substr(a, b - a + 1));
    } catch (const std::exception&) {
      throw ConfigError(fmt::format("`moe_layers_enum` entry is not a layer index (model_type `{}`)", c.model_type()));
    }
    if (i >= 0 && i < n) out[i] = true;
  };
  if (e.is_string()) {
    const std::string s = e.get<std::string>();
    for (size_t pos = 0; pos <= s.size();) {
      size_t comma = s.find(',', pos);
      if (comma == std::string::npos) comma = s.size();
      mark(s.substr(pos, comma - pos));
      pos = comma + 1;
    }
  } else if (e.is_array()) {
    for (const auto& x : e) mark(x.is_string() ? x.get<std::string>() : x.dump());
  } else {
    throw ConfigError(
        fmt::format("`moe_layers_enum` is neither a string nor a list (model_type `{}`)", c.model_type()));
  }
  return out;
}

// Step3p7RotaryEmbedding: `<type>_inv_freq` / `<type>_original_inv_freq` per distinct layer type, int(head_dim x f)
// wide, f from rope_parameters[type] when it is already per type, else from the legacy per-layer
// partial_rotary_factors (the type's first layer), else 1.
ModulePtr rotary_tables(const Config& c, int64_t head_dim, const std::vector<std::string>& types) {
  const Json& raw = c.raw();
  const Json* rp = raw.contains("rope_parameters") && raw["rope_parameters"].is_object() ? &raw["rope_parameters"]
                                                                                          : nullptr;
  bool per_type = rp != nullptr;
  for (const auto& t : types) per_type = per_type && rp->contains(t) && (*rp)[t].is_object();
  if (per_type) return rotary_per_layer_type(c, "Step3p7RotaryEmbedding", head_dim, types);
  std::vector<double> factors;
  if (raw.contains("partial_rotary_factors") && raw["partial_rotary_factors"].is_array())
    for (const auto& f : raw["partial_rotary_factors"]) factors.push_back(f.is_number() ? f.get<double>() : 1.0);
  auto r = make("Step3p7RotaryEmbedding");
  std::vector<std::string> seen;
  for (size_t i = 0; i < types.size(); ++i) {
    if (std::find(seen.begin(), seen.end(), types[i]) != seen.end()) continue;
    seen.push_back(types[i]);
    const double f = i < factors.size() ? factors[i] : 1.0;
    if (!(f > 0.0 && f <= 1.0)) throw ConfigError("partial_rotary_factors entries must lie in (0, 1]");
    const int64_t half = rope_dim(head_dim, f) / 2;
    r->buffer(types[i] + "_inv_freq", {half}, DType::F32, false);
    r->buffer(types[i] + "_original_inv_freq", {half}, DType::F32, false);
  }
  return r;
}

// A layer's attention shape: the global one, overridden by per_layer_config[i] (keys may be zero-padded), which
// __post_init__ fills, when the file has none, with num_sliding_attention_heads for each sliding_attention layer.
struct AttnDims {
  int64_t heads, kv_heads, head_dim;
  auto operator<=>(const AttnDims&) const = default;
};
std::vector<AttnDims> attention_dims(const Config& c, const DecoderSpec& s, const std::vector<std::string>& types) {
  std::vector<AttnDims> out(s.layers, AttnDims{s.heads, s.kv_heads, s.head_dim});
  if (c.raw().contains("per_layer_config") && c.raw()["per_layer_config"].is_object()) {
    for (const auto& [k, over] : c.raw()["per_layer_config"].items()) {
      int64_t i = -1;
      try {
        i = std::stoll(k);
      } catch (const std::exception&) {
      }
      if (i < 0 || i >= s.layers || !over.is_object())
        throw ConfigError(fmt::format("`per_layer_config` key `{}` is not a layer index (model_type `{}`)", k,
                                      c.model_type()));
      Config o(over, c.model_type(), "per_layer_config.");
      out[i] = {moe::dim(o, "num_attention_heads", o.i("num_attention_heads", s.heads)),
                moe::dim(o, "num_key_value_heads", o.i("num_key_value_heads", s.kv_heads)),
                moe::dim(o, "head_dim", o.i("head_dim", s.head_dim))};
    }
    return out;
  }
  int64_t sliding = s.heads;
  if (c.has("num_sliding_attention_heads")) {
    sliding = c.i("num_sliding_attention_heads");
  } else if (auto other = c.opt_sub("attention_other_setting")) {
    sliding = other->i("num_attention_heads", s.heads);
  }
  moe::dim(c, "num_sliding_attention_heads", sliding);
  for (int64_t i = 0; i < s.layers; ++i)
    if (types[i] == "sliding_attention") out[i].heads = sliding;
  return out;
}

Model text_model(const Config& c) {
  const std::string p = "Step3p7";
  DecoderSpec s = moe::read(c, p);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  const std::string act = act_class("silu");  // __post_init__ sets hidden_act to silu
  const int64_t experts = moe::experts_count(c, {"n_routed_experts", "num_local_experts"}, 288);
  const int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, 1280);
  const int64_t shared_inter = moe::count(c, {"share_expert_dim"}, 1280);
  std::vector<std::string> types = per_layer(c, "layer_types", s.layers);
  if (types.empty()) types.assign(s.layers, "full_attention");
  // gating is a class attribute (True) a config may override with a bool or "per-head".
  bool per_head = true;
  if (c.raw().contains("gating")) {
    const Json& g = c.raw()["gating"];
    per_head = (g.is_boolean() && g.get<bool>()) || (g.is_string() && g.get<std::string>() == "per-head");
  }

  std::map<AttnDims, ModulePtr> attns;
  auto attention = [&](const AttnDims& d) {
    auto& a = attns[d];
    if (a) return a;
    a = qkvo_attention(p + "Attention", {s.hidden, d.heads, d.kv_heads, d.head_dim, s.qkv_bias, s.o_bias});
    a->add("q_norm", rms_norm(p + "RMSNorm", d.head_dim));
    a->add("k_norm", rms_norm(p + "RMSNorm", d.head_dim));
    a->add("g_proj", linear(s.hidden, per_head ? d.heads : d.heads * d.head_dim, false));
    return a;
  };
  auto moe_block = make(p + "SparseMoeBlock");
  moe_block->add("gate", moe::router(p + "TopKRouter", experts, s.hidden, true));
  moe_block->add("experts", moe::experts(p + "Experts", experts, s.hidden, moe_inter, act));
  moe_block->add("shared_experts", gated_mlp(p + "MLP", s.hidden, shared_inter, s.mlp_bias, act));
  auto dense = gated_mlp(p + "MLP", s.hidden, s.inter, s.mlp_bias, act);

  const std::vector<AttnDims> dims = attention_dims(c, s, types);
  const std::vector<bool> sparse = sparse_layers(c, s.layers);
  std::map<std::pair<AttnDims, bool>, ModulePtr> layers;
  std::vector<ModulePtr> stack;
  for (int64_t i = 0; i < s.layers; ++i) {
    auto& l = layers[{dims[i], sparse[i]}];
    if (!l) l = moe::layer(s, attention(dims[i]), sparse[i] ? moe_block : dense);
    stack.push_back(l);
  }
  s.layer = [stack](int64_t i) { return stack[i]; };
  s.rotary_emb = [&] { return rotary_tables(c, s.head_dim, types); };
  // step3p5 (the text config's type) has no AutoModel mapping: the text model is built inside Step3p7Model only.
  Model m{decoder_model(s), {p + "DecoderLayer"}};
  m.root->cls = p + "TextModel";
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "step3p5_vision"}}, "step3p5_vision");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "step3p5"}}, "step3p5");
  Model vision = vision_model(vc.c);
  Model text = text_model(tc.c);
  const int64_t vh = media::dim(vc.c, "hidden_size", 1536), th = media::dim(tc.c, "hidden_size", 4096);
  auto m = make("Step3p7Model");
  m->add("vision_model", vision.root);
  m->add("language_model", text.root);
  m->add("multi_modal_projector", linear(4 * vh, th, c.b("projector_bias", false)));
  Model base{m, {"Step3p7VisionEncoderLayer", "Step3p7DecoderLayer"}};
  base.to_checkpoint = moe::split_experts();
  if (cls == "Step3p7Model") return base;
  if (cls != "Step3p7ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 128815),
                                c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"step3p7"}, "Step3p7", build);

}  // namespace
}  // namespace memfit
