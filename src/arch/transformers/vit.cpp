// ViT: transformers' modeling_vit.py (v5 layout: layers.N with q/k/v/o_proj and an MLP of fc1/fc2).
// DeiT (modeling_deit.py): the same tree under its own prefix, plus a distillation_token (positions: patches + 2).
// AST (modeling_audio_spectrogram_transformer.py): DeiT's tokens over a one-channel spectrogram whose patches are
// strided by frequency_stride / time_stride, and no pooler.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/rename.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr vit_model(const Config& c, const std::string& p, bool pooler, bool mask_token) {
  bool ast = p == "AST", deit = p == "DeiT" || ast;
  int64_t h = c.i("hidden_size", 768), inter = c.i("intermediate_size", 3072);
  int64_t image = c.i("image_size", 224), patch = c.i("patch_size", 16), channels = ast ? 1 : c.i("num_channels", 3);
  int64_t patches = (image / patch) * (image / patch);
  if (ast) {
    int64_t fs = c.i("frequency_stride", 10), ts = c.i("time_stride", 10);
    if (fs <= 0 || ts <= 0 || patch <= 0) c.missing("frequency_stride");
    patches = ((c.i("num_mel_bins", 128) - patch) / fs + 1) * ((c.i("max_length", 1024) - patch) / ts + 1);
  }
  bool qkv_bias = c.b("qkv_bias", true);

  auto pe = make(p + "PatchEmbeddings");
  pe->add("projection", conv2d(channels, h, patch));
  auto emb = make(p + "Embeddings");
  emb->param("cls_token", {1, 1, h});
  if (ast) emb->param("distillation_token", {1, 1, h});
  if (mask_token) emb->param("mask_token", {1, 1, h});
  emb->add("patch_embeddings", pe);
  emb->param("position_embeddings", {1, patches + (deit ? 2 : 1), h});
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
  Model m;
  if (cls == p + "Model") {
    m = {vit_model(c, p, p != "AST", false), no_split};
  } else if (cls == p + "ForImageClassification") {
    auto root = make(std::string(cls));
    root->add(base, vit_model(c, p, false, false));
    root->add("classifier", linear(c.i("hidden_size", 768), heads::num_labels(c)));
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
MEMFIT_FAMILY({"deit"}, "DeiT", [](const Config& c, std::string_view cls) { return build(c, cls, "DeiT", "deit"); });

}  // namespace
}  // namespace memfit
