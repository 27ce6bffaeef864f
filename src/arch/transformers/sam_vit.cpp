#include "arch/transformers/sam_vit.h"

#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/media.h"

namespace memfit {
using namespace blocks;

ModulePtr sam_mlp_block(const std::string& p, const Config& c, int64_t h, int64_t mlp_dim,
                        std::string_view act_default) {
  auto m = make(p + "MLPBlock");
  m->add("lin1", linear(h, mlp_dim));
  m->add("lin2", linear(mlp_dim, h));
  m->add("act", leaf(act_class(c.s("hidden_act", act_default))));
  return m;
}

namespace {

// <p>VisionLayer: layer_norm1, attn (qkv, proj, rel_pos_h / rel_pos_w over the window, or the whole grid when global),
// layer_norm2, mlp.
ModulePtr vision_layer(const Config& c, const std::string& p, const std::string& attn_cls, int64_t h, int64_t heads,
                       int64_t mlp_dim, int64_t window, int64_t grid) {
  auto attn = make(attn_cls);
  attn->add("qkv", linear(h, 3 * h, c.b("qkv_bias", true)));
  attn->add("proj", linear(h, h));
  if (c.b("use_rel_pos", true)) {
    int64_t size = window == 0 ? grid : window;
    attn->param("rel_pos_h", {2 * size - 1, h / heads});
    attn->param("rel_pos_w", {2 * size - 1, h / heads});
  }
  auto l = make(p + "VisionLayer");
  l->add("layer_norm1", layer_norm(h));
  l->add("attn", attn);
  l->add("layer_norm2", layer_norm(h));
  l->add("mlp", sam_mlp_block(p, c, h, mlp_dim, "gelu"));
  return l;
}

}  // namespace

ModulePtr sam_vision_encoder(const Config& c, const std::string& p, const std::string& attn_cls) {
  int64_t h = media::dim(c, "hidden_size", 768), heads = media::dim(c, "num_attention_heads", 12);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t image = media::dim(c, "image_size", 1024), patch = media::dim(c, "patch_size", 16);
  int64_t grid = image / patch, out = media::dim(c, "output_channels", 256);
  media::require(c, grid >= 1, "image_size is smaller than patch_size");
  int64_t mlp_dim = c.has("mlp_dim") ? media::dim(c, "mlp_dim", 0)
                                     : static_cast<int64_t>(static_cast<double>(h) * c.f("mlp_ratio", 4.0));
  media::require(c, mlp_dim > 0 && mlp_dim <= media::kMaxDim, "mlp_dim out of range");
  auto global = media::dims(c, "global_attn_indexes", {2, 5, 8, 11}, 0);
  int64_t window = c.i("window_size", 14);
  media::require(c, window >= 0 && window <= media::kMaxDim, "window_size out of range");

  auto pe = make(p + "PatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), h, patch));
  auto enc = make(p + "VisionEncoder");
  enc->add("patch_embed", pe);
  if (c.b("use_abs_pos", true)) enc->param("pos_embed", {1, grid, grid, h});
  auto windowed = vision_layer(c, p, attn_cls, h, heads, mlp_dim, window, grid);
  auto full = vision_layer(c, p, attn_cls, h, heads, mlp_dim, 0, grid);
  auto layers = make("ModuleList");
  for (int64_t i = 0, n = media::count(c, "num_hidden_layers", 12); i < n; ++i) {
    bool is_global = std::find(global.begin(), global.end(), i) != global.end();
    layers->add(std::to_string(i), is_global ? full : windowed);
  }
  enc->add("layers", layers);
  auto neck = make(p + "VisionNeck");
  neck->add("conv1", conv2d(h, out, 1, false));
  neck->add("layer_norm1", layer_norm(out, true, p + "LayerNorm"));
  neck->add("conv2", conv2d(out, out, 3, false));
  neck->add("layer_norm2", layer_norm(out, true, p + "LayerNorm"));
  enc->add("neck", neck);
  return enc;
}

}  // namespace memfit
