// ViT: transformers' modeling_vit.py (v5 layout: layers.N with q/k/v/o_proj and an MLP of fc1/fc2).
// DeiT (modeling_deit.py): the same tree under its own prefix, plus a distillation_token (positions: patches + 2).
// AST (modeling_audio_spectrogram_transformer.py): DeiT's tokens over a one-channel spectrogram whose patches are
// strided by frequency_stride / time_stride, and no pooler.
// ViTMSN (modeling_vit_msn.py): no pooler; I-JEPA (modeling_ijepa.py): no pooler and no cls_token (positions: patches).
// ViViT (modeling_vivit.py): a Conv3d tubelet embedding over num_frames (positions: tubelets + 1).
// Pixio (modeling_pixio.py): n_cls_tokens cls tokens (positions: patches + n_cls_tokens), an MLP of
// hidden_size * mlp_ratio, no pooler.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/rename.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vit_model(const Config& c, const std::string& p, bool pooler, bool mask_token) {
  bool ast = p == "AST", deit = p == "DeiT" || ast, cls_token = p != "IJepa", pixio = p == "Pixio";
  int64_t h = c.i("hidden_size", 768), inter = c.i("intermediate_size", 3072);
  int64_t n_cls = pixio ? media::dim(c, "n_cls_tokens", 8) : 1;
  if (pixio) inter = static_cast<int64_t>(static_cast<double>(h) * c.f("mlp_ratio", 4));
  media::require(c, inter > 0 && inter <= media::kMaxDim, "mlp_ratio out of range");
  int64_t image = c.i("image_size", 224), patch = c.i("patch_size", 16), channels = ast ? 1 : c.i("num_channels", 3);
  int64_t patches = (image / patch) * (image / patch);
  if (ast) {
    int64_t fs = c.i("frequency_stride", 10), ts = c.i("time_stride", 10);
    if (fs <= 0 || ts <= 0 || patch <= 0) c.missing("frequency_stride");
    patches = ((c.i("num_mel_bins", 128) - patch) / fs + 1) * ((c.i("max_length", 1024) - patch) / ts + 1);
  }
  bool qkv_bias = c.b("qkv_bias", true);

  auto pe = make(p + "PatchEmbeddings");
  if (p == "Vivit") {
    auto t = media::dims(c, "tubelet_size", {2, 16, 16});
    media::require(c, t.size() == 3 && image <= 65536, "tubelet_size must be [t, h, w]");
    patches = media::dim(c, "num_frames", 32) / t[0] * (image / t[1]) * (image / t[2]);
    pe = make("VivitTubeletEmbeddings");
    auto conv = make("Conv3d");
    conv->param("weight", {h, channels, t[0], t[1], t[2]}).param("bias", {h});
    pe->add("projection", conv);
  } else {
    pe->add("projection", conv2d(channels, h, patch));
  }
  auto emb = make(p + "Embeddings");
  if (cls_token) emb->param("cls_token", {1, n_cls, h});
  if (ast) emb->param("distillation_token", {1, 1, h});
  if (mask_token) emb->param("mask_token", {1, 1, h});
  emb->add("patch_embeddings", pe);
  emb->param("position_embeddings", {1, patches + (deit ? 2 : cls_token ? n_cls : 0), h});
  if (deit && !ast) emb->param("distillation_token", {1, 1, h});
  emb->add("dropout", leaf("Dropout"));

  auto attn = make(p + "Attention");
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) attn->add(n, linear(h, h, qkv_bias));
  attn->add("o_proj", linear(h, h, true));
  auto mlp = make(p + "MLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto layer = make(p + "Layer");
  layer->add("attention", attn);
  layer->add("layernorm_before", layer_norm(h));
  layer->add("layernorm_after", layer_norm(h));
  layer->add("mlp", mlp);
  layer->add("dropout", leaf("Dropout"));

  auto m = make(p + "Model");
  m->add("embeddings", emb);
  m->add("layers", repeat(layer, c.i("num_hidden_layers", 12)));
  m->add("layernorm", layer_norm(h));
  if (pooler) {
    auto pool = make(p + "Pooler");
    pool->add("dense", linear(h, c.i("pooler_output_size", h)));
    pool->add("activation", leaf("Tanh"));
    m->add("pooler", pool);
  }
  return m;
}

// Checkpoints keep the transformers 4 names (encoder.layer.N.attention.attention.query, ...).
CheckpointMapping vit_checkpoint_names() {
  const std::string l = R"(^((?:vit\.|deit\.)?)layers\.(\d+)\.)";
  const std::string to = "$1encoder.layer.$2.";
  return rename_mapping({
      {l + R"(attention\.q_proj\.)", to + "attention.attention.query."},
      {l + R"(attention\.k_proj\.)", to + "attention.attention.key."},
      {l + R"(attention\.v_proj\.)", to + "attention.attention.value."},
      {l + R"(attention\.o_proj\.)", to + "attention.output.dense."},
      {l + R"(mlp\.fc1\.)", to + "intermediate.dense."},
      {l + R"(mlp\.fc2\.)", to + "output.dense."},
      {l, to},
  });
}

Model build(const Config& c, std::string_view cls, const std::string& p, const std::string& base) {
  std::vector<std::string> no_split{p + "Embeddings", p + "Layer"};
  bool pooler = p == "ViT" || p == "DeiT" || p == "Vivit";  // AutoModel's add_pooling_layer
  Model m;
  if (cls == p + "Model") {
    m = {vit_model(c, p, pooler, false), no_split};
  } else if (cls == p + "ForImageClassification" || cls == "VivitForVideoClassification") {
    auto root = make(std::string(cls));
    root->add(base, vit_model(c, p, false, false));
    root->add("classifier", pooler && p != "Vivit" ? linear(c.i("hidden_size", 768), heads::num_labels(c))
                                   : media::linear_or_identity(c.i("hidden_size", 768), heads::num_labels(c)));
    m = {root, no_split};
  } else {
    heads::unsupported(cls);
  }
  m.to_checkpoint = vit_checkpoint_names();
  return m;
}

MEMFIT_FAMILY({"vit"}, "ViT", [](const Config& c, std::string_view cls) { return build(c, cls, "ViT", "vit"); });
MEMFIT_FAMILY({"audio-spectrogram-transformer"}, "AST",
              [](const Config& c, std::string_view cls) { return build(c, cls, "AST", "audio_spectrogram_transformer"); });
MEMFIT_FAMILY({"vit_msn"}, "ViTMSN", [](const Config& c, std::string_view cls) { return build(c, cls, "ViTMSN", "vit"); });
MEMFIT_FAMILY({"ijepa"}, "IJepa", [](const Config& c, std::string_view cls) { return build(c, cls, "IJepa", "ijepa"); });
MEMFIT_FAMILY({"vivit"}, "Vivit", [](const Config& c, std::string_view cls) { return build(c, cls, "Vivit", "vivit"); });
MEMFIT_FAMILY({"pixio"}, "Pixio", [](const Config& c, std::string_view cls) { return build(c, cls, "Pixio", "pixio"); });
MEMFIT_FAMILY({"deit"}, "DeiT", [](const Config& c, std::string_view cls) { return build(c, cls, "DeiT", "deit"); });

}  // namespace
}  // namespace memfit
