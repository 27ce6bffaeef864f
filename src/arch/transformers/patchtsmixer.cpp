// PatchTSMixer: transformers' modeling_patchtsmixer.py (PatchTSMixerModel, PatchTSMixerForPretraining). The
// encoder embeds each patch with a Linear (patch_length -> d_model), optionally adds a positional Parameter
// [num_patches, d_model], and runs num_layers mixer layers: a patch mixer (norm, MLP over the patches, optional gate,
// optional self-attention with its own norm), a feature mixer (norm, MLP over d_model, optional gate), and in
// "mix_channel" mode a channel mixer first (norm, MLP over the channels, optional gate). Each MLP widens by
// expansion_factor; norms are LayerNorm or, when norm_mlp names batch norm, a BatchNorm1d inside
// PatchTSMixerBatchNorm. Patchifier, masking and scaler hold no tensors.
#include <algorithm>
#include <cctype>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Dims {
  int64_t d, patches, channels, expansion;
  bool gated;
};

ModulePtr norm(const Config& c, int64_t d) {
  std::string type = c.s("norm_mlp", "LayerNorm");
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char ch) { return std::tolower(ch); });
  auto m = make("PatchTSMixerNormLayer");
  if (type.find("batch") != std::string::npos) {
    auto bn = make("PatchTSMixerBatchNorm");
    bn->add("batchnorm", batch_norm(d, "BatchNorm1d"));
    m->add("norm", bn);
  } else {
    m->add("norm", layer_norm(d));
  }
  return m;
}

ModulePtr mlp(int64_t in, int64_t expansion) {
  auto m = make("PatchTSMixerMLP");
  m->add("fc1", linear(in, in * expansion));
  m->add("dropout1", leaf("Dropout"));
  m->add("fc2", linear(in * expansion, in));
  m->add("dropout2", leaf("Dropout"));
  return m;
}

ModulePtr gate(int64_t n) {
  auto m = make("PatchTSMixerGatedAttention");
  m->add("attn_layer", linear(n, n));
  m->add("attn_softmax", leaf("Softmax"));
  return m;
}

// A mixer block over `width` (patches, d_model or channels): norm, mlp, and the gate when gated_attn.
ModulePtr mixer(const Config& c, std::string cls, const Dims& s, int64_t width) {
  auto m = make(std::move(cls));
  m->add("norm", norm(c, s.d));
  m->add("mlp", mlp(width, s.expansion));
  if (s.gated) m->add("gating_block", gate(width));
  return m;
}

ModulePtr encoder(const Config& c) {
  const int64_t context = media::dim(c, "context_length", 32), plen = media::dim(c, "patch_length", 8);
  const int64_t stride = media::dim(c, "patch_stride", 8);
  Dims s{media::dim(c, "d_model", 8), (std::max(context, plen) - plen) / stride + 1,
         media::dim(c, "num_input_channels", 1), media::dim(c, "expansion_factor", 2), c.b("gated_attn", true)};
  media::require(c, s.d * s.expansion <= media::kMaxDim, "d_model * expansion_factor");

  auto patch_mixer = mixer(c, "PatchMixerBlock", s, s.patches);
  if (c.b("self_attn", false)) {
    const int64_t heads = media::dim(c, "self_attn_heads", 1);
    media::divisible(c, s.d, heads, "d_model / self_attn_heads");
    patch_mixer->add("self_attn_layer", media::kvq_attention("PatchTSMixerAttention", s.d));
    patch_mixer->add("norm_attn", norm(c, s.d));
  }
  auto layer = make("PatchTSMixerLayer");
  layer->add("patch_mixer", patch_mixer);
  layer->add("feature_mixer", mixer(c, "FeatureMixerBlock", s, s.d));
  const std::string mode = c.s("mode", "common_channel");
  if (mode == "mix_channel")
    layer->add("channel_feature_mixer", mixer(c, "PatchTSMixerChannelFeatureMixerBlock", s, s.channels));
  auto block = make("PatchTSMixerBlock");
  block->add("mixers", repeat(layer, media::count(c, "num_layers", 3)));

  auto e = make("PatchTSMixerEncoder");
  e->add("patcher", linear(plen, s.d));
  if (c.b("use_positional_encoding", false)) {
    const std::string type = c.s("positional_encoding_type", "sincos");
    media::require(c, type == "random" || type == "sincos", "positional_encoding_type must be `random` or `sincos`");
    auto pe = make("PatchTSMixerPositionalEncoding");
    pe->param("position_enc", {s.patches, s.d});
    e->add("positional_encoder", pe);
  }
  e->add("mlp_mixer_encoder", block);
  return e;
}

ModulePtr model(const Config& c) {
  media::require(c, c.i("context_length", 32) > c.i("patch_length", 8),
                 "context_length must be greater than patch_length");
  auto m = make("PatchTSMixerModel");
  m->add("encoder", encoder(c));
  m->add("patching", leaf("PatchTSMixerPatchify"));
  return m;
}

MEMFIT_FAMILY({"patchtsmixer"}, "PatchTSMixer", [](const Config& c, std::string_view cls) {
  if (cls == "PatchTSMixerModel") return Model{model(c), {}};
  if (cls != "PatchTSMixerForPretraining") heads::unsupported(cls);
  auto root = make("PatchTSMixerForPretraining");
  root->add("model", model(c));
  auto head = make("PatchTSMixerPretrainHead");
  head->add("dropout_layer", leaf("Dropout"));
  head->add("base_pt_block", linear(media::dim(c, "d_model", 8), media::dim(c, "patch_length", 8)));
  root->add("head", head);
  return Model{root, {}};
});

}  // namespace
}  // namespace memfit
