// CLIP and SigLIP towers: transformers' modeling_clip.py (CLIPVisionModel, CLIPTextModel) and modeling_siglip.py
// (SiglipVisionModel, SiglipTextModel, SiglipMultiheadAttentionPoolingHead).
#include "arch/transformers/vision_towers.h"

#include "arch/blocks.h"
#include "arch/transformers/clip_layer.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
using namespace blocks;

SubConfig make_config(Json defaults, const Json& over, std::string model_type) {
  auto j = std::make_unique<Json>(std::move(defaults));
  if (!j->is_object()) *j = Json::object();
  if (over.is_object())
    for (auto it = over.begin(); it != over.end(); ++it) (*j)[it.key()] = it.value();
  if (auto it = j->find("model_type"); it != j->end() && it->is_string()) model_type = it->get<std::string>();
  Config c(*j, model_type);
  return SubConfig{std::move(j), c};
}

SubConfig sub_config(const Config& parent, std::string_view key, Json defaults, std::string model_type) {
  const Json& raw = parent.raw();
  static const Json empty = Json::object();
  const Json* over = &empty;
  if (auto it = raw.find(key); it != raw.end() && !it->is_null()) {
    if (!it->is_object()) parent.missing(key);
    over = &*it;
  }
  return make_config(std::move(defaults), *over, std::move(model_type));
}

void merge_no_split(std::vector<std::string>& into, const std::vector<std::string>& more) {
  for (const auto& n : more)
    if (std::find(into.begin(), into.end(), n) == into.end()) into.push_back(n);
}

namespace {

struct TowerShape {
  int64_t hidden, inter, layers, heads;
  std::string act;
};

void check(const TowerShape& s, const Config& c) {
  if (s.hidden <= 0 || s.inter <= 0 || s.heads <= 0) c.missing("hidden_size");
  if (s.layers < 0 || s.layers > 100000) c.missing("num_hidden_layers");
}

TowerShape read_tower(const Config& c, int64_t hidden, int64_t inter, int64_t layers, int64_t heads,
                      std::string_view act) {
  TowerShape s{c.i("hidden_size", hidden), c.i("intermediate_size", inter), c.i("num_hidden_layers", layers),
               c.i("num_attention_heads", heads), c.s("hidden_act", act)};
  check(s, c);
  return s;
}

// XEncoder with layers of self_attn (k/v/q/out_proj) + mlp (fc1, fc2) and two LayerNorms; SigLIP registers each
// norm before the block it precedes, CLIP registers self_attn first.
ModulePtr encoder(const std::string& p, const TowerShape& s, bool norm_first) {
  auto attn = make(p + "Attention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(s.hidden, s.hidden));
  auto mlp = make(p + "MLP");
  mlp->add("activation_fn", leaf(act_class(s.act)));
  mlp->add("fc1", linear(s.hidden, s.inter));
  mlp->add("fc2", linear(s.inter, s.hidden));
  auto l = make(p + "EncoderLayer");
  if (norm_first) {
    l->add("layer_norm1", layer_norm(s.hidden));
    l->add("self_attn", attn);
    l->add("layer_norm2", layer_norm(s.hidden));
    l->add("mlp", mlp);
  } else {
    l->add("self_attn", attn);
    l->add("layer_norm1", layer_norm(s.hidden));
    l->add("mlp", mlp);
    l->add("layer_norm2", layer_norm(s.hidden));
  }
  auto e = make(p + "Encoder");
  e->add("layers", repeat(l, s.layers));
  return e;
}

ModulePtr text_embeddings(const std::string& p, const TowerShape& s, int64_t vocab, int64_t max_pos) {
  auto e = make(p + "TextEmbeddings");
  e->add("token_embedding", embedding(vocab, s.hidden));
  e->add("position_embedding", embedding(max_pos, s.hidden));
  e->buffer("position_ids", {1, max_pos}, DType::I64, false);
  return e;
}

int64_t num_patches(const Config& c, int64_t image_def, int64_t patch_def) {
  int64_t image = c.i("image_size", image_def), patch = c.i("patch_size", patch_def);
  if (image <= 0 || patch <= 0 || image / patch > 100000) c.missing("patch_size");
  return (image / patch) * (image / patch);
}

}  // namespace

ModulePtr clip_encoder_layer(const std::string& p, int64_t hidden, int64_t inter, const std::string& act) {
  return encoder(p, TowerShape{hidden, inter, 1, 1, act}, false)->child("layers")->child("0");
}

Model clip_vision_model(const Config& c, std::string p) {
  TowerShape s = read_tower(c, 768, 3072, 12, 12, "quick_gelu");
  int64_t patch = c.i("patch_size", 32), positions = num_patches(c, 224, 32) + 1;
  auto emb = make(p + "VisionEmbeddings");
  emb->param("class_embedding", {s.hidden});
  emb->add("patch_embedding", conv2d(c.i("num_channels", 3), s.hidden, patch, false));
  emb->add("position_embedding", embedding(positions, s.hidden));
  emb->buffer("position_ids", {1, positions}, DType::I64, false);
  auto m = make(p + "VisionModel");
  m->add("embeddings", emb);
  m->add("pre_layrnorm", layer_norm(s.hidden));
  m->add("encoder", encoder(p, s, false));
  m->add("post_layernorm", layer_norm(s.hidden));
  return {m, {p + "TextEmbeddings", p + "EncoderLayer", p + "VisionEmbeddings"}};
}

Model clip_text_model(const Config& c, const std::string& p) {
  TowerShape s = read_tower(c, 512, 2048, 12, 8, "quick_gelu");
  auto m = make(p + "TextModel");
  m->add("embeddings", text_embeddings(p, s, c.i("vocab_size", 49408), c.i("max_position_embeddings", 77)));
  m->add("encoder", encoder(p, s, false));
  m->add("final_layer_norm", layer_norm(s.hidden));
  return {m, {p + "TextEmbeddings", p + "EncoderLayer", p + "VisionEmbeddings"}};
}

static const std::vector<std::string> kSiglipNoSplit{"SiglipTextEmbeddings", "SiglipVisionEmbeddings",
                                                      "SiglipEncoderLayer", "SiglipMultiheadAttentionPoolingHead"};

Model siglip_vision_model(const Config& c, const std::string& p, bool position_ids) {
  TowerShape s = read_tower(c, 768, 3072, 12, 12, "gelu_pytorch_tanh");
  int64_t patch = c.i("patch_size", 16), positions = num_patches(c, 224, 16);
  auto emb = make(p + "VisionEmbeddings");
  emb->add("patch_embedding", conv2d(c.i("num_channels", 3), s.hidden, patch, true));
  emb->add("position_embedding", embedding(positions, s.hidden));
  if (position_ids) emb->buffer("position_ids", {1, positions}, DType::I64, false);
  auto m = make(p + "VisionModel");
  m->add("embeddings", emb);
  m->add("encoder", encoder(p == "Siglip" ? p : p + "Vision", s, true));
  m->add("post_layernorm", layer_norm(s.hidden));
  if (c.b("vision_use_head", true)) {
    auto head = make(p + (p == "Siglip" ? "" : "Vision") + "MultiheadAttentionPoolingHead");
    head->param("probe", {1, 1, s.hidden});
    auto mha = make("MultiheadAttention");
    mha->param("in_proj_weight", {3 * s.hidden, s.hidden}).param("in_proj_bias", {3 * s.hidden});
    auto out = linear(s.hidden, s.hidden);
    out->cls = "NonDynamicallyQuantizableLinear";
    mha->add("out_proj", out);
    head->add("attention", mha);
    head->add("layernorm", layer_norm(s.hidden));
    auto mlp = make(p + (p == "Siglip" ? "" : "Vision") + "MLP");
    mlp->add("activation_fn", leaf(act_class(s.act)));
    mlp->add("fc1", linear(s.hidden, s.inter));
    mlp->add("fc2", linear(s.inter, s.hidden));
    head->add("mlp", mlp);
    m->add("head", head);
  }
  return {m, kSiglipNoSplit};
}

// Renames every class of the tree (shared nodes once) from the `from` prefix to `to`.
static void rename_prefix(Module& m, const std::string& from, const std::string& to) {
  if (m.cls.starts_with(from) && !m.cls.starts_with(to)) m.cls = to + m.cls.substr(from.size());
  for (auto& [name, child] : m.children) rename_prefix(*child, from, to);
}

Model siglip2_vision_model(const Config& c) {
  Model m = siglip_vision_model(c, "Siglip", false);
  int64_t h = c.i("hidden_size", 768), patch = c.i("patch_size", 16), n = c.i("num_patches", 256);
  int64_t ch = c.i("num_channels", 3);
  if (patch <= 0 || patch > 4096 || ch <= 0 || ch > 4096) c.missing("patch_size");
  if (n <= 0 || n > (1 << 24)) c.missing("num_patches");
  auto emb = make("SiglipVisionEmbeddings");
  emb->add("patch_embedding", linear(ch * patch * patch, h));
  emb->add("position_embedding", embedding(n, h));
  m.root->children[0].second = emb;
  rename_prefix(*m.root, "Siglip", "Siglip2");
  for (auto& n : m.no_split) n = "Siglip2" + n.substr(6);
  return m;
}

Model siglip_text_model(const Config& c) {
  TowerShape s = read_tower(c, 768, 3072, 12, 12, "gelu_pytorch_tanh");
  auto m = make("SiglipTextModel");
  m->add("embeddings", text_embeddings("Siglip", s, c.i("vocab_size", 32000), c.i("max_position_embeddings", 64)));
  m->add("encoder", encoder("Siglip", s, true));
  m->add("final_layer_norm", layer_norm(s.hidden));
  m->add("head", linear(s.hidden, c.i("projection_size", s.hidden)));
  return {m, kSiglipNoSplit};
}

Model pixtral_vision_model(const Config& c) {
  TowerShape s = read_tower(c, 1024, 4096, 24, 16, "gelu");
  int64_t patch = c.i("patch_size", 16), head_dim = s.hidden / s.heads;
  int64_t positions = num_patches(c, 1024, 16);
  auto attn = make("PixtralAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "o_proj"}) attn->add(n, linear(s.hidden, s.hidden, false));
  auto layer = make("PixtralAttentionLayer");
  layer->add("attention_norm", rms_norm("PixtralRMSNorm", s.hidden));
  layer->add("feed_forward", gated_mlp("PixtralMLP", s.hidden, s.inter, false, act_class(s.act)));
  layer->add("attention", attn);
  layer->add("ffn_norm", rms_norm("PixtralRMSNorm", s.hidden));
  auto tr = make("PixtralTransformer");
  tr->add("layers", repeat(layer, s.layers));
  auto m = make("PixtralVisionModel");
  m->add("patch_conv", conv2d(c.i("num_channels", 3), s.hidden, patch, false));
  m->add("ln_pre", rms_norm("PixtralRMSNorm", s.hidden));
  m->add("transformer", tr);
  // PixtralRotaryEmbedding: one frequency row per patch position, [(image/patch)^2, head_dim].
  auto rope = make("PixtralRotaryEmbedding");
  rope->buffer("inv_freq", {positions, head_dim}, DType::F32, false);
  rope->buffer("original_inv_freq", {positions, head_dim}, DType::F32, false);
  m->add("patch_positional_embedding", rope);
  return {m, {"PixtralAttentionLayer"}};
}

Model vision_tower_for(const Config& vc) {
  const std::string mt = vc.s("model_type", "");
  if (mt == "clip_vision_model") return clip_vision_model(vc);
  if (mt == "siglip_vision_model") return siglip_vision_model(vc);
  if (mt == "pixtral") return pixtral_vision_model(vc);
  heads::unsupported(mt + " vision tower");
}

}  // namespace memfit
