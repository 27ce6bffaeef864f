// SegFormer's Mix Transformer encoder: transformers' modeling_segformer.py (v5 layout: stages.N with
// patch_embeddings, blocks of q/k/v/o_proj attention with a strided-conv sequence reduction and a Mix-FFN with a
// depth-wise conv, a LayerNorm per stage; AutoModelForSemanticSegmentation adds the all-MLP decode head) and GLPN's
// copy of it (modeling_glpn.py, still the transformers 4 layout: encoder.patch_embeddings.N, encoder.block.N.M with
// attention.self.query, encoder.layer_norm.N).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Mit {
  std::vector<int64_t> hidden, heads, depths, patch, stride, sr, mlp;
  int64_t blocks;
};

Mit read(const Config& c) {
  Mit m;
  m.blocks = media::count(c, "num_encoder_blocks", 4);
  m.hidden = media::dims(c, "hidden_sizes", {32, 64, 160, 256});
  m.heads = media::dims(c, "num_attention_heads", {1, 2, 5, 8});
  m.depths = media::dims(c, "depths", {2, 2, 2, 2}, 0);
  m.patch = media::dims(c, "patch_sizes", {7, 3, 3, 3});
  m.stride = media::dims(c, "strides", {4, 2, 2, 2});
  m.sr = media::dims(c, "sr_ratios", {8, 4, 2, 1});
  m.mlp = media::dims(c, "mlp_ratios", {4, 4, 4, 4});
  auto n = static_cast<size_t>(m.blocks);
  media::require(c, n >= 1 && m.hidden.size() >= n && m.heads.size() >= n && m.depths.size() >= n && m.patch.size() >= n &&
                        m.sr.size() >= n && m.mlp.size() >= n && m.stride.size() >= n,
                 "per-stage lists shorter than num_encoder_blocks");
  return m;
}

ModulePtr patch_embed(const std::string& p, int64_t in, int64_t out, int64_t k) {
  auto e = make(p + "OverlapPatchEmbeddings");
  e->add("proj", conv2d(in, out, k));
  e->add("layer_norm", layer_norm(out));
  return e;
}

// One block; `v4` selects GLPN's names.
ModulePtr block(const Config& c, const std::string& p, bool v4, int64_t h, int64_t sr, int64_t ratio, bool dp) {
  media::require(c, h * ratio <= media::kMaxDim, "mlp_ratios out of range");
  int64_t hidden = h * ratio;
  auto attn = make(p + "Attention");
  ModulePtr self = v4 ? make(p + "EfficientSelfAttention") : attn;
  for (const char* n : v4 ? std::vector<const char*>{"query", "key", "value"}
                          : std::vector<const char*>{"q_proj", "k_proj", "v_proj", "o_proj"})
    self->add(n, linear(h, h));
  if (sr > 1) {
    if (v4) {
      self->add("sr", conv2d(h, h, sr));
      self->add("layer_norm", layer_norm(h));
    } else {
      auto red = make(p + "SequenceReduction");
      red->add("sequence_reduction", conv2d(h, h, sr));
      red->add("layer_norm", layer_norm(h));
      self->add("sequence_reduction", red);
    }
  }
  if (v4) {
    auto out = make(p + "SelfOutput");
    out->add("dense", linear(h, h));
    attn->add("self", self);
    attn->add("output", out);
  }
  auto dw = make(p + "DepthWiseConv");
  dw->add("dwconv", conv2d(hidden, hidden, 3, true, hidden));
  auto ffn = make(p + (v4 ? "MixFFN" : "MixMLP"));
  ffn->add(v4 ? "dense1" : "fc1", linear(h, hidden));
  ffn->add("dwconv", dw);
  ffn->add(v4 ? "dense2" : "fc2", linear(hidden, h));
  auto l = make(p + "Layer");
  l->add(v4 ? "layer_norm_1" : "layernorm_before", layer_norm(h));
  l->add("attention", attn);
  l->add("drop_path", leaf(dp ? p + "DropPath" : "Identity"));
  l->add(v4 ? "layer_norm_2" : "layernorm_after", layer_norm(h));
  l->add("mlp", ffn);
  return l;
}

// Stochastic depth grows linearly from 0 over all blocks: only the very first block keeps an Identity.
std::vector<ModulePtr> stage_blocks(const Config& c, const std::string& p, bool v4, const Mit& m, size_t i) {
  bool dp = c.f("drop_path_rate", 0.1) > 0;
  auto plain = block(c, p, v4, m.hidden[i], m.sr[i], m.mlp[i], dp);
  auto first = i == 0 ? block(c, p, v4, m.hidden[i], m.sr[i], m.mlp[i], false) : plain;
  std::vector<ModulePtr> out;
  for (int64_t j = 0; j < m.depths[i]; ++j) out.push_back(j == 0 ? first : plain);
  return out;
}

ModulePtr segformer_model(const Config& c, const Mit& m) {
  int64_t ch = media::dim(c, "num_channels", 3);
  auto stages = make("ModuleList");
  for (size_t i = 0; i < static_cast<size_t>(m.blocks); ++i) {
    auto s = make("SegformerStage");
    s->add("patch_embeddings", patch_embed("Segformer", i == 0 ? ch : m.hidden[i - 1], m.hidden[i], m.patch[i]));
    s->add("blocks", module_list(stage_blocks(c, "Segformer", false, m, i)));
    s->add("layer_norm", layer_norm(m.hidden[i]));
    stages->add(std::to_string(i), s);
  }
  auto root = make("SegformerModel");
  root->add("stages", stages);
  return root;
}

ModulePtr glpn_model(const Config& c, const Mit& m) {
  int64_t ch = media::dim(c, "num_channels", 3);
  auto pe = make("ModuleList"), blocks = make("ModuleList"), norms = make("ModuleList");
  for (size_t i = 0; i < static_cast<size_t>(m.blocks); ++i) {
    pe->add(std::to_string(i), patch_embed("GLPN", i == 0 ? ch : m.hidden[i - 1], m.hidden[i], m.patch[i]));
    blocks->add(std::to_string(i), module_list(stage_blocks(c, "GLPN", true, m, i)));
    norms->add(std::to_string(i), layer_norm(m.hidden[i]));
  }
  auto enc = make("GLPNEncoder");
  enc->add("patch_embeddings", pe);
  enc->add("block", blocks);
  enc->add("layer_norm", norms);
  auto root = make("GLPNModel");
  root->add("encoder", enc);
  return root;
}

Model build_segformer(const Config& c, std::string_view cls) {
  Mit m = read(c);
  std::vector<std::string> no_split{"SegformerStage"};
  if (cls == "SegformerModel") return {segformer_model(c, m), no_split};
  auto root = make(std::string(cls));
  root->add("segformer", segformer_model(c, m));
  if (cls == "SegformerForImageClassification") {
    root->add("classifier", linear(m.hidden[m.blocks - 1], heads::num_labels(c)));
  } else if (cls == "SegformerForSemanticSegmentation") {
    int64_t d = media::dim(c, "decoder_hidden_size", 256);
    media::require(c, d * m.blocks <= media::kMaxDim, "decoder_hidden_size too large");
    auto head = make("SegformerDecodeHead");
    auto proj = make("ModuleList");
    for (int64_t i = 0; i < m.blocks; ++i) {
      auto mlp = make("SegformerMLP");
      mlp->add("proj", linear(m.hidden[i], d));
      proj->add(std::to_string(i), mlp);
    }
    head->add("linear_projections", proj);
    head->add("linear_fuse", conv2d(d * m.blocks, d, 1, false));
    head->add("batch_norm", batch_norm(d));
    head->add("activation", leaf("ReLU"));
    head->add("dropout", leaf("Dropout"));
    head->add("classifier", conv2d(d, heads::num_labels(c), 1));
    root->add("decode_head", head);
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

Model build_glpn(const Config& c, std::string_view cls) {
  if (cls != "GLPNModel") heads::unsupported(cls);
  return {glpn_model(c, read(c)), {}};
}

MEMFIT_FAMILY({"segformer"}, "Segformer", build_segformer);
MEMFIT_FAMILY({"glpn"}, "GLPN", build_glpn);

}  // namespace
}  // namespace memfit
