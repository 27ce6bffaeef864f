// PatchTST: transformers' modeling_patchtst.py (PatchTSTModel). The time series is cut into
// (max(context_length, patch_length) - patch_length) // patch_stride + 1 patches, each embedded by a Linear
// (one per channel unless share_embedding), given a positional table (a Parameter [patches (+1 with the cls token),
// d_model]) and run through encoder layers: BART-style self-attention, a norm (BatchNorm1d inside
// PatchTSTBatchNorm, or LayerNorm), a second norm only with channel_attention, a feed-forward
// Sequential(Linear, act, dropout, Linear) and a third norm. Scaler, patchifier and masking hold no tensors.
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr norm(const Config& c, int64_t d) {
  std::string type = c.s("norm_type", "batchnorm");
  if (type == "layernorm") return layer_norm(d);
  media::require(c, type == "batchnorm", "norm_type must be `batchnorm` or `layernorm`");
  auto m = make("PatchTSTBatchNorm");
  m->add("batchnorm", batch_norm(d, "BatchNorm1d"));
  return m;
}

ModulePtr encoder_layer(const Config& c, int64_t d) {
  bool bias = c.b("bias", true);
  int64_t ffn = media::dim(c, "ffn_dim", 512);
  auto attn = make("PatchTSTAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(d, d));
  auto ff = make("Sequential");
  ff->add("0", linear(d, ffn, bias));
  ff->add("1", leaf(act_class(c.s("activation_function", "gelu"))));
  ff->add("2", leaf(c.f("ff_dropout", 0) > 0 ? "Dropout" : "Identity"));
  ff->add("3", linear(ffn, d, bias));
  auto l = make("PatchTSTEncoderLayer");
  l->add("self_attn", attn);
  l->add("norm_sublayer1", norm(c, d));
  if (c.b("channel_attention", false)) l->add("norm_sublayer2", norm(c, d));
  l->add("ff", ff);
  l->add("norm_sublayer3", norm(c, d));
  return l;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "PatchTSTModel") heads::unsupported(cls);
  int64_t d = media::dim(c, "d_model", 128), patch = media::dim(c, "patch_length", 1);
  int64_t stride = media::dim(c, "patch_stride", 1), context = media::dim(c, "context_length", 32);
  int64_t channels = media::count(c, "num_input_channels", 1);
  int64_t patches = (std::max(context, patch) - patch) / stride + 1;
  std::string pe_type = c.s("positional_encoding_type", "sincos");
  media::require(c, pe_type == "sincos" || pe_type == "random", "positional_encoding_type");
  auto embedder = make("PatchTSTEmbedding");
  if (c.b("share_embedding", true)) {
    embedder->add("input_embedding", linear(patch, d));
  } else {
    auto list = make("ModuleList");
    for (int64_t i = 0; i < channels; ++i) list->add(std::to_string(i), linear(patch, d));
    embedder->add("input_embedding", list);
  }
  auto pos = make("PatchTSTPositionalEncoding");
  bool cls_token = c.b("use_cls_token", false);
  if (cls_token) pos->param("cls_token", {1, 1, 1, d});
  pos->param("position_enc", {patches + (cls_token ? 1 : 0), d});
  auto enc = make("PatchTSTEncoder");
  enc->add("embedder", embedder);
  enc->add("positional_encoder", pos);
  enc->add("layers", repeat(encoder_layer(c, d), media::count(c, "num_hidden_layers", 3)));
  auto m = make("PatchTSTModel");
  m->add("scaler", leaf("PatchTSTScaler"));
  m->add("patchifier", leaf("PatchTSTPatchify"));
  m->add("masking", leaf(c.b("do_mask_input", false) ? "PatchTSTMasking" : "Identity"));
  m->add("encoder", enc);
  return {m, {}};
}

MEMFIT_FAMILY({"patchtst"}, "PatchTST", build);

}  // namespace
}  // namespace memfit
