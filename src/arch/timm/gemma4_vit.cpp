// timm Gemma4VitEncoder / Gemma4VitClassifier (timm/models/gemma4_vit.py) from their registered arguments:
// Gemma4PatchEmbed (input_proj, position_embedding_table), the 2D rotary inv_freq buffer, Gemma4Blocks (four RmsNorms,
// Gemma4Attention q / k / v / o Gemma4ClippableLinears with q / k / v norms, Gemma4GatedMlp), the pooler and the
// standardize buffers; the classifier wraps the encoder with an affine-free RmsNorm and a head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Gemma4ClippableLinear: a bias-free `linear`, plus four scalar clip buffers when clipped.
ModulePtr clippable(int64_t in, int64_t out, bool clipped) {
  auto m = make("Gemma4ClippableLinear");
  m->add("linear", linear(in, out, false));
  if (clipped)
    for (const char* b : {"input_min", "input_max", "output_min", "output_max"}) m->buffer(b, {}, DType::F32);
  return m;
}

ModulePtr encoder(const timm::Args& a) {
  int64_t dim = timm::checked(a.i("embed_dim"), 1, 1 << 14, "embed_dim"), heads = timm::checked(a.i("num_heads"), 1, 1024, "num_heads");
  int64_t hd = timm::checked(a.i("head_dim"), 4, 1 << 12, "head_dim"), kv = a.has("num_kv_heads") ? timm::checked(a.i("num_kv_heads"), 1, heads, "num_kv_heads") : heads;
  int64_t inter = timm::checked(a.i("intermediate_size"), 1, 1 << 18, "intermediate_size");
  bool clip = a.b("use_clipped_linears");
  auto patch = a.ints("patch_size");
  if (patch.size() == 1) patch.push_back(patch[0]);
  if (patch.size() != 2) a.unsupported("patch_size");
  auto root = make("Gemma4VitEncoder");
  auto pe = make("Gemma4PatchEmbed");
  pe->add("input_proj", linear(a.i("in_chans") * patch[0] * patch[1], dim, false));
  pe->param("position_embedding_table", {2, timm::checked(a.i("position_embedding_size"), 1, 1 << 20, "position_embedding_size"), dim});
  root->add("patch_embed", pe);
  auto rope = make("Gemma4RotaryEmbedding2D");
  rope->buffer("inv_freq", {hd / 2 / 2}, DType::F32, false);
  root->add("rotary_emb", rope);
  root->add("blocks", timm::seq(timm::checked(a.i("depth"), 0, 1024, "depth"), [&](int64_t) {
              auto at = make("Gemma4Attention");
              at->add("q_proj", clippable(dim, heads * hd, clip));
              at->add("k_proj", clippable(dim, kv * hd, clip));
              at->add("v_proj", clippable(dim, kv * hd, clip));
              at->add("o_proj", clippable(heads * hd, dim, clip));
              at->add("q_norm", rms_norm("RmsNorm", hd));
              at->add("k_norm", rms_norm("RmsNorm", hd));
              at->add("v_norm", leaf("RmsNorm"));
              at->add("attn_drop", leaf("Dropout"));
              at->add("proj_drop", leaf("Dropout"));
              auto mlp = make("Gemma4GatedMlp");
              mlp->add("gate_proj", clippable(dim, inter, clip));
              mlp->add("up_proj", clippable(dim, inter, clip));
              mlp->add("down_proj", clippable(inter, dim, clip));
              mlp->add("act", leaf("GELU"));
              mlp->add("drop", leaf("Dropout"));
              auto b = make("Gemma4Block");
              b->add("norm1", rms_norm("RmsNorm", dim));
              b->add("attn", at);
              b->add("norm2", rms_norm("RmsNorm", dim));
              b->add("norm3", rms_norm("RmsNorm", dim));
              b->add("mlp", mlp);
              b->add("norm4", rms_norm("RmsNorm", dim));
              b->add("drop_path", leaf("Identity"));
              return b;
            }, "ModuleList"));
  root->add("pooler", leaf("Gemma4VisionPooler"));
  if (a.b("standardize")) {
    root->buffer("std_bias", {dim}, DType::F32);
    root->buffer("std_scale", {dim}, DType::F32);
  }
  return root;
}

Model build_classifier(const timm::Args& a) {
  int64_t dim = a.i("embed_dim");
  auto root = make("Gemma4VitClassifier");
  root->add("encoder", encoder(a));
  root->add("norm", a.b("final_norm") ? leaf("RmsNorm") : leaf("Identity"));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Gemma4VitEncoder"}, [](const timm::Args& a) { return timm::model(encoder(a)); });
MEMFIT_TIMM_CLASS({"Gemma4VitClassifier"}, build_classifier);

}  // namespace
}  // namespace memfit
