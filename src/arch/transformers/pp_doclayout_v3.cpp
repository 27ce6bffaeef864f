// PP-DocLayoutV3: transformers' modeling_pp_doclayout_v3.py. RT-DETR's model (rt_detr.h) around the HGNet-V2 backbone
// load_backbone builds (BatchNorms frozen), with the first backbone level dropped from the encoder input
// projections; the hybrid encoder adds a mask-feature FPN (per level conv layers and upsampling to the finest
// stride) and mask lateral / output convs; the decoder gets its own class and box heads (tied to enc_score_head and
// enc_bbox_head), and the model adds per-layer order heads, a global pointer, a decoder norm and a mask-query MLP.
#include <algorithm>
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/rt_detr.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "PPDocLayoutV3";

// PPDocLayoutV3ConvLayer (ResNet's): a bias-free kxk conv, BatchNorm2d, SiLU.
ModulePtr conv_layer(int64_t in, int64_t out, int64_t k) {
  auto l = make(kP + "ConvLayer");
  l->add("convolution", conv2d(in, out, k, false));
  l->add("normalization", batch_norm(out));
  l->add("activation", leaf("SiLU"));
  return l;
}

// PPDocLayoutV3MaskFeatFPN over the encoder levels (strides sorted ascending): per level max(1, log2(stride / base))
// conv layers, each followed by an upsample unless it is the finest level; an output conv layer.
ModulePtr mask_feat_fpn(const Config& c, int64_t hd, int64_t feat, int64_t out) {
  auto strides = media::dims(c, "feat_strides", {8, 16, 32});
  std::sort(strides.begin(), strides.end());
  auto scale_heads = make("ModuleList");
  for (size_t i = 0; i < strides.size(); ++i) {
    double span = std::log2(static_cast<double>(strides[i])) - std::log2(static_cast<double>(strides[0]));
    auto n = std::max<int64_t>(1, static_cast<int64_t>(span));
    auto layers = make("ModuleList");
    int64_t j = 0;
    for (int64_t k = 0; k < n; ++k) {
      layers->add(std::to_string(j++), conv_layer(k == 0 ? hd : feat, feat, 3));
      if (strides[i] != strides[0]) layers->add(std::to_string(j++), leaf("Upsample"));
    }
    auto h = make(kP + "ScaleHead");
    h->add("layers", layers);
    scale_heads->add(std::to_string(i), h);
  }
  auto f = make(kP + "MaskFeatFPN");
  f->add("scale_heads", scale_heads);
  f->add("output_conv", conv_layer(feat, out, 3));
  return f;
}

// A Linear whose weight and bias are tied to those of the (earlier) module `target`.
ModulePtr tied_linear(int64_t in, int64_t out, const std::string& target) {
  auto l = make("Linear");
  l->tie("weight", {out, in}, target + ".weight");
  l->tie("bias", {out}, target + ".bias");
  return l;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != kP + "Model") heads::unsupported(cls);
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "hgnet_v2"}}, "hgnet_v2");
  if (bc.c.s("model_type", "hgnet_v2") != "hgnet_v2")
    heads::unsupported(kP + "Model with a " + bc.c.s("model_type", "") + " backbone");
  Model bb = auto_model(bc.c);
  auto outs = media::dims(bc.c, "stage_out_channels", {128, 512, 1024, 2048});
  std::vector<int64_t> channels;
  for (int64_t i : media::dims(bc.c, "out_indices", {1, 2, 3, 4}, 1)) {
    media::require(c, i <= static_cast<int64_t>(outs.size()), "out_indices out of range");
    channels.push_back(outs[static_cast<size_t>(i - 1)]);
  }
  if (!channels.empty()) channels.erase(channels.begin());  // encoder_input_proj_list[1:]
  auto m = rt_detr::model(c, kP, false, bb.root, channels);

  int64_t hd = media::dim(c, "encoder_hidden_dim", 256), d = media::dim(c, "d_model", 256);
  auto mf = media::dims(c, "mask_feature_channels", {64, 64});
  media::require(c, mf.size() >= 2, "mask_feature_channels needs 2 entries");
  int64_t protos = media::dim(c, "num_prototypes", 32);
  auto enc = m->child("encoder");
  enc->add("mask_feature_head", mask_feat_fpn(c, hd, mf[0], mf[1]));
  enc->add("encoder_mask_lateral", conv_layer(media::dim(c, "x4_feat_dim", 128), mf[1], 3));
  auto mo = make(kP + "EncoderMaskOutput");
  mo->add("base_conv", conv_layer(mf[1], mf[1], 3));
  mo->add("conv", conv2d(mf[1], protos, 1));
  enc->add("encoder_mask_output", mo);

  auto dec = m->child("decoder");
  dec->add("class_embed", tied_linear(d, heads::num_labels(c), "enc_score_head"));
  auto box = make(kP + "MLPPredictionHead");
  auto box_layers = make("ModuleList");
  for (int i = 0; i < 3; ++i)
    box_layers->add(std::to_string(i), tied_linear(d, i == 2 ? 4 : d, "enc_bbox_head.layers." + std::to_string(i)));
  box->add("layers", box_layers);
  dec->add("bbox_embed", box);
  m->add("decoder_order_head", repeat(linear(d, d), media::count(c, "decoder_layers", 6)));
  auto gp = make(kP + "GlobalPointer");
  gp->add("dense", linear(d, 2 * media::dim(c, "global_pointer_head_size", 64)));
  gp->add("dropout", leaf("Dropout"));
  m->add("decoder_global_pointer", gp);
  m->add("decoder_norm", layer_norm(d));
  m->add("mask_query_head", rt_detr::prediction_head(kP, d, d, protos, 3));
  return {m, {kP + "DecoderLayer", kP + "HybridEncoder"}};
}

MEMFIT_FAMILY({"pp_doclayout_v3"}, "PPDocLayoutV3", build);

}  // namespace
}  // namespace memfit
