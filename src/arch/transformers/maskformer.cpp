// MaskFormer: transformers' modeling_maskformer.py. A pixel-level module (the backbone AutoBackbone builds from
// backbone_config, MaskFormer's Swin by default, and an FPN pixel decoder of conv + GroupNorm layers with a mask
// projection) and a transformer module (query embeddings, a 1x1 input projection, a DETR decoder).
#include "arch/blocks.h"
#include "arch/transformers/detr.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/swin_v4.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr group_norm(int64_t ch) { return layer_norm(ch, true, "GroupNorm"); }

// MaskFormerFPNConvLayer: a bias-free 3x3 conv, GroupNorm(32) and ReLU, registered as "0", "1", "2".
ModulePtr fpn_conv(int64_t in, int64_t out) {
  auto l = make("MaskFormerFPNConvLayer");
  l->add("0", conv2d(in, out, 3, false));
  l->add("1", group_norm(out));
  l->add("2", leaf("ReLU"));
  return l;
}

ModulePtr pixel_decoder(const Config& c, const std::vector<int64_t>& channels) {
  int64_t fpn = media::dim(c, "fpn_feature_size", 256), mask = media::dim(c, "mask_feature_size", 256);
  auto layers = make("Sequential");
  for (size_t i = 0; i + 1 < channels.size(); ++i) {
    int64_t lateral = channels[channels.size() - 2 - i];
    auto proj = make("Sequential");
    proj->add("0", conv2d(lateral, fpn, 1, false));
    proj->add("1", group_norm(fpn));
    auto l = make("MaskFormerFPNLayer");
    l->add("proj", proj);
    l->add("block", fpn_conv(fpn, fpn));
    layers->add(std::to_string(i), l);
  }
  auto model = make("MaskFormerFPNModel");
  model->add("stem", fpn_conv(channels.back(), fpn));
  model->add("layers", layers);
  auto d = make("MaskFormerPixelDecoder");
  d->add("fpn", model);
  d->add("mask_projection", conv2d(fpn, mask, 3));
  return d;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "MaskFormerModel") heads::unsupported(cls);
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "swin"}}, "swin");
  std::string bt = bc.c.s("model_type", "swin");
  if (bt != "swin" && bt != "maskformer-swin") heads::unsupported("MaskFormerModel with a " + bt + " backbone");
  SubConfig dc = sub_config(c, "decoder_config", {{"model_type", "detr"}}, "detr");
  if (dc.c.s("model_type", "detr") != "detr") heads::unsupported("MaskFormerModel with a non-DETR decoder");
  int64_t embed = media::dim(bc.c, "embed_dim", 96);
  auto depths = media::dims(bc.c, "depths", {2, 2, 6, 2}, 0);
  media::require(c, !depths.empty() && depths.size() <= 16, "backbone depths out of range");
  std::vector<int64_t> channels;
  for (size_t i = 0; i < depths.size(); ++i) channels.push_back(embed << i);

  auto pixel = make("MaskFormerPixelLevelModule");
  pixel->add("encoder", maskformer_swin_backbone(bc.c));
  pixel->add("decoder", pixel_decoder(c, channels));
  int64_t h = media::dim(dc.c, "d_model", 256);
  auto tr = make("MaskFormerTransformerModule");
  tr->add("position_embedder", leaf("MaskFormerSinePositionEmbedding"));
  tr->add("queries_embedder", embedding(media::dim(dc.c, "num_queries", 100), h));
  if (channels.back() != h) tr->add("input_projection", conv2d(channels.back(), h, 1));
  tr->add("decoder", detr_decoder(dc.c, "MaskFormerDetr"));
  auto m = make("MaskFormerModel");
  m->add("pixel_level_module", pixel);
  m->add("transformer_module", tr);
  return {m, {}};
}

MEMFIT_FAMILY({"maskformer"}, "MaskFormer", build);

}  // namespace
}  // namespace memfit
