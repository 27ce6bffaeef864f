// Swin2SR: transformers' modeling_swin2sr.py. Swin2SRModel: a non-persistent `mean` buffer ([1, 3, 1, 1] for RGB in
// and out, else [1, 1, 1, 1]), first_convolution (3x3, num_channels -> embed_dim), embeddings (patch projection
// over embed_dim channels + LayerNorm; absolute position embeddings optional), encoder.stages: residual Swin
// transformer blocks of `depths[i]` Swin V2 layers (logit_scale, the continuous position bias MLP 2 -> 512 -> heads,
// non-persistent relative_coords_table / relative_position_index buffers, bias-free key) at the full patch
// resolution with window min(resolution, window_size), then a 1conv / 3conv residual conv and a norm-free patch
// projection; a LayerNorm and conv_after_body. Swin2SRForImageSuperResolution adds the upsampler the config names
// (pixelshuffle, pixelshuffle_aux, pixelshuffledirect, nearest+conv) or a final convolution.
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/swin_v4.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr patch_embeddings(int64_t d, int64_t patch, bool norm) {
  auto pe = make("Swin2SRPatchEmbeddings");
  pe->add("projection", conv2d(d, d, patch));
  if (norm) pe->add("layernorm", layer_norm(d));
  return pe;
}

// Swin V2's layer under Swin2SR names; Swin2SRStage never passes its drop-path rates on, so drop_path stays Identity.
ModulePtr layer(const Config& c, int64_t d, int64_t heads, int64_t w) {
  media::divisible(c, d, heads, "embed_dim by num_heads");
  return swin_v2_layer(c, "Swin2SR", d, heads, w);
}

ModulePtr swin2sr_model(const Config& c, int64_t& d) {
  d = media::dim(c, "embed_dim", 180);
  const int64_t ch = media::dim(c, "num_channels", 3), out_ch = media::dim(c, "num_channels_out", ch);
  const int64_t patch = media::dim(c, "patch_size", 1), window = media::dim(c, "window_size", 8);
  const auto [img_h, img_w] = media::pair(c, "image_size", 64);
  const int64_t res_h = img_h / patch, res_w = img_w / patch;
  media::require(c, res_h >= 1 && res_w >= 1, "image_size smaller than patch_size");
  const int64_t w = std::min(res_h, window);
  media::require(c, w <= 1024, "window_size out of range");
  auto depths = media::dims(c, "depths", {6, 6, 6, 6, 6, 6}, 0);
  auto heads = media::dims(c, "num_heads", {6, 6, 6, 6, 6, 6});
  media::require(c, heads.size() >= depths.size(), "num_heads shorter than depths");
  const std::string resi = c.s("resi_connection", "1conv");

  auto emb = make("Swin2SREmbeddings");
  emb->add("patch_embeddings", patch_embeddings(d, patch, true));
  if (c.b("use_absolute_embeddings", false)) emb->param("position_embeddings", {1, res_h * res_w + 1, d});
  emb->add("dropout", leaf("Dropout"));
  auto stages = make("ModuleList");
  for (size_t i = 0; i < depths.size(); ++i) {
    auto st = make("Swin2SRStage");
    st->add("layers", repeat(layer(c, d, heads[i], w), depths[i]));
    if (resi == "1conv") {
      st->add("conv", conv2d(d, d, 3));
    } else if (resi == "3conv") {
      media::require(c, d >= 4, "embed_dim below 4 with resi_connection 3conv");
      st->add("conv", module_list({conv2d(d, d / 4, 3), leaf("LeakyReLU"), conv2d(d / 4, d / 4, 1), leaf("LeakyReLU"),
                                   conv2d(d / 4, d, 3)},
                                  "Sequential"));
    }
    st->add("patch_embed", patch_embeddings(d, patch, false));
    st->add("patch_unembed", leaf("Swin2SRPatchUnEmbeddings"));
    stages->add(std::to_string(i), st);
  }
  auto enc = make("Swin2SREncoder");
  enc->add("stages", stages);
  auto m = make("Swin2SRModel");
  m->buffer("mean", ch == 3 && out_ch == 3 ? std::vector<int64_t>{1, 3, 1, 1} : std::vector<int64_t>{1, 1, 1, 1},
            DType::F32, false);
  m->add("first_convolution", conv2d(ch, d, 3));
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("layernorm", layer_norm(d));
  m->add("patch_unembed", leaf("Swin2SRPatchUnEmbeddings"));
  m->add("conv_after_body", conv2d(d, d, 3));
  return m;
}

// Upsample: log2(scale) conv (x4 channels) + PixelShuffle(2) pairs, or one conv (x9) + PixelShuffle(3) for 3.
ModulePtr upsample(int64_t scale, int64_t f) {
  auto u = make("Upsample");
  if (scale >= 1 && (scale & (scale - 1)) == 0) {
    for (int i = 0; (int64_t{1} << i) < scale; ++i) {
      u->add("convolution_" + std::to_string(i), conv2d(f, 4 * f, 3));
      u->add("pixelshuffle_" + std::to_string(i), leaf("PixelShuffle"));
    }
  } else if (scale == 3) {
    u->add("convolution", conv2d(f, 9 * f, 3));
    u->add("pixelshuffle", leaf("PixelShuffle"));
  } else {
    throw ConfigError("transformers itself refuses upscale " + std::to_string(scale) +
                      " (model_type `swin2sr`): supported scales are 2^n and 3");
  }
  return u;
}

Model build(const Config& c, std::string_view cls) {
  int64_t d = 0;
  if (cls == "Swin2SRModel") return {swin2sr_model(c, d), {}};
  if (cls != "Swin2SRForImageSuperResolution") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("swin2sr", swin2sr_model(c, d));
  const int64_t ch = media::dim(c, "num_channels", 3), out_ch = media::dim(c, "num_channels_out", ch);
  const int64_t scale = media::dim(c, "upscale", 2), f = 64;
  media::require(c, scale <= 1024, "upscale out of range");
  const std::string kind = c.s("upsampler", "pixelshuffle");
  if (kind == "pixelshuffle") {
    auto u = make("PixelShuffleUpsampler");
    u->add("conv_before_upsample", conv2d(d, f, 3));
    u->add("activation", leaf("LeakyReLU"));
    u->add("upsample", upsample(scale, f));
    u->add("final_convolution", conv2d(f, out_ch, 3));
    root->add("upsample", u);
  } else if (kind == "pixelshuffle_aux") {
    auto u = make("PixelShuffleAuxUpsampler");
    u->add("conv_bicubic", conv2d(ch, f, 3));
    u->add("conv_before_upsample", conv2d(d, f, 3));
    u->add("activation", leaf("LeakyReLU"));
    u->add("conv_aux", conv2d(f, ch, 3));
    u->add("conv_after_aux", module_list({conv2d(3, f, 3), leaf("LeakyReLU")}, "Sequential"));
    u->add("upsample", upsample(scale, f));
    u->add("final_convolution", conv2d(f, out_ch, 3));
    root->add("upsample", u);
  } else if (kind == "pixelshuffledirect") {
    auto u = make("UpsampleOneStep");
    u->add("conv", conv2d(d, scale * scale * out_ch, 3));
    u->add("pixel_shuffle", leaf("PixelShuffle"));
    root->add("upsample", u);
  } else if (kind == "nearest+conv") {
    if (scale != 4) throw ConfigError("transformers itself refuses upsampler nearest+conv without upscale 4 (swin2sr)");
    auto u = make("NearestConvUpsampler");
    u->add("conv_before_upsample", conv2d(d, f, 3));
    u->add("activation", leaf("LeakyReLU"));
    for (const char* n : {"conv_up1", "conv_up2", "conv_hr"}) u->add(n, conv2d(f, f, 3));
    u->add("final_convolution", conv2d(f, out_ch, 3));
    u->add("lrelu", leaf("LeakyReLU"));
    root->add("upsample", u);
  } else {
    root->add("final_convolution", conv2d(d, out_ch, 3));
  }
  return {root, {}};
}

MEMFIT_FAMILY({"swin2sr"}, "Swin2SR", build);

}  // namespace
}  // namespace memfit
