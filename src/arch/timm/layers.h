// Shared timm layers (timm/layers/*.py): classifier heads, conv-norm-act, Mlp, Attention, PatchEmbed, and the
// create_model defaults every timm family reads off the Hub-style config (num_classes, in_chans, img_size).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <string_view>

#include "arch/blocks.h"
#include "arch/registry.h"

namespace memfit::timm {

class Args;

// The classes create_model builds: model_args.num_classes, else the config's / pretrained tag's num_classes.
// Also rejects model_args this library does not apply (anything but num_classes, in_chans, img_size, global_pool,
// pretrained_cfg_overlay) with UnsupportedClass rather than building a different model.
int64_t num_classes(const Config& c, int64_t def = 1000);
// in_chans: model_args.in_chans, else pretrained_cfg.input_size[0], else 3.
int64_t in_chans(const Config& c);
// img_size: model_args.img_size, else pretrained_cfg.input_size[-1] when the tag has fixed_input_size, else `def`.
int64_t img_size(const Config& c, int64_t def);
// Throws UnsupportedClass naming an architecture variant the family does not implement.
[[noreturn]] void unsupported(std::string_view arch);
// Fails with ConfigError when a count/size read from a config is outside [lo, hi].
int64_t checked(int64_t v, int64_t lo, int64_t hi, std::string_view what);

// nn.Linear(in, out) when out > 0, else nn.Identity (timm's num_classes=0 heads).
ModulePtr fc_or_identity(int64_t in, int64_t out, bool bias = true);
// SelectAdaptivePool2d: pool + flatten children.
ModulePtr select_pool();
// ClassifierHead: global_pool, drop, fc, flatten.
ModulePtr classifier_head(int64_t in, int64_t classes);
// NormMlpClassifierHead: global_pool, norm, flatten, pre_logits (Identity, or fc + Tanh when hidden > 0), drop, fc.
ModulePtr norm_mlp_head(int64_t in, int64_t classes, std::string norm_cls = "LayerNorm2d", int64_t hidden = 0);
// The same head around a given norm module (ByobNet's BatchNorm2d).
ModulePtr norm_mlp_head(int64_t in, int64_t classes, ModulePtr norm, int64_t hidden);
// BatchNorm with drop + act children (BatchNormAct2d).
ModulePtr bn_act(int64_t n, std::string cls = "BatchNormAct2d");
// ConvNormAct / ConvBnAct: conv (bias-free unless `bias`), bn (BatchNormAct2d); no aa (create_aa gives None).
ModulePtr conv_norm_act(int64_t in, int64_t out, int64_t k, int64_t groups = 1, bool bias = false,
                        std::string cls = "ConvNormAct");
// ConvNormAct with a kh x kw (1x7, 7x1, ...) bias-free conv and BatchNormAct2d.
ModulePtr conv_norm_act_hw(int64_t in, int64_t out, int64_t kh, int64_t kw);
// SEModule (timm/layers/squeeze_excite.py): fc1 (1x1 conv chs -> rd), bn (Identity), act, fc2 (rd -> chs), gate.
ModulePtr se_module(int64_t chs, int64_t rd);
// EcaModule (timm/layers/eca.py) with its adaptive kernel size: conv (Conv1d 1 -> 1, no bias), gate.
ModulePtr eca_module(int64_t chs);
// BlurPool2d(channels) (timm/layers/blur_pool.py): a non-persistent (channels, 1, 3, 3) `filt` buffer.
ModulePtr blur_pool(int64_t chs);
// Mlp: fc1, act, drop1, norm (LayerNorm of hidden if `norm`), fc2, drop2; fc1 / fc2 are 1x1 convs with `conv`.
ModulePtr mlp(int64_t in, int64_t hidden, int64_t out, bool bias = true, bool norm = false, std::string cls = "Mlp",
              bool conv = false);
// GluMlp/SwiGLU-style Mlp with fc1_g, fc1_x (SwiGLU) layout.
ModulePtr swiglu(int64_t in, int64_t hidden, int64_t out, bool norm = false);
// Mlp with 1x1 convs (ConvMlp): fc1, norm, act, drop, fc2.
ModulePtr conv_mlp(int64_t in, int64_t hidden, int64_t out);
// timm Attention: qkv, q_norm, k_norm, attn_drop, norm, proj, proj_drop.
ModulePtr attention(int64_t dim, int64_t heads, bool qkv_bias = true, bool qk_norm = false);
// vision_transformer.Block with its defaults (LayerNorm, Attention, Mlp, no LayerScale): norm1, attn, ls1,
// drop_path1, norm2, mlp, ls2, drop_path2 (CrossViT, PiT, ... reuse it).
ModulePtr vit_block(int64_t dim, int64_t heads, int64_t hidden, bool qkv_bias);
// PatchEmbed: proj (Conv2d patch x patch), norm (LayerNorm when `norm`).
ModulePtr patch_embed(int64_t in, int64_t dim, int64_t patch, bool bias = true, bool norm = false);
// timm ResNet BasicBlock(in, planes) / Bottleneck(in, planes -> 4*planes), with a conv1x1+bn downsample Sequential.
ModulePtr resnet_basic(int64_t in, int64_t planes, bool down);
ModulePtr resnet_bottleneck(int64_t in, int64_t planes, bool down);
// A norm layer named by a timm argument (LayerNorm / nn.LayerNorm / LayerNorm2d / RmsNorm / 'rmsnorm', a partial of
// one) over `dim`; any other name is refused through `a`.
ModulePtr norm(const Args& a, std::string_view layer, int64_t dim);
// An mlp_layer named by a timm argument (Mlp, SwiGLU, SwiGLUPacked / GluMlp), `norm` the hidden norm's layer or "".
ModulePtr mlp_layer(const Args& a, std::string_view layer, int64_t in, int64_t hidden, int64_t out, bool bias,
                    std::string_view norm_layer);
// PatchEmbed from img_size / patch_size / in_chans / dynamic_img_pad / embed_norm_layer; with its patch count.
std::pair<ModulePtr, int64_t> patch_embed(const Args& a, int64_t dim, bool bias);
// AttentionPoolLatent (timm/layers/attention_pool.py, global_pool='map'): latent, q, kv, proj, norm, Mlp(hidden).
ModulePtr attn_pool_latent(const Args& a, int64_t dim, int64_t hidden, std::string_view norm_layer);
// A plain self-attention `cls` of several families (VOLO, Nest, CoaT, Twins): qkv, attn_drop, proj, proj_drop.
ModulePtr qkv_attention(std::string cls, int64_t dim, bool qkv_bias);
// CaiT's ClassAttn (also XCiT's): q, k, v, attn_drop, proj, proj_drop.
ModulePtr class_attn(int64_t dim, bool qkv_bias);
// LayerScale / LayerScale2d: a learned per-channel gamma, [dim] or [dim, 1, 1] when `spatial`; Identity when off.
ModulePtr layer_scale(int64_t dim, bool on = true, std::string cls = "LayerScale", bool spatial = false);
// A conv (bias-free unless `bias`) + BatchNorm2d pair of class `cls` with the conv child named `conv` (LeViT's,
// TinyViT's and EfficientViT's ConvNorm, SHViT's Conv2dNorm).
ModulePtr conv_bn(int64_t in, int64_t out, int64_t k, int64_t groups = 1, bool bias = false,
                  std::string cls = "ConvNorm", std::string conv = "conv");
// NormLinear heads: BatchNorm1d, Dropout (when `drop`), Linear named `fc`; Identity when out <= 0.
ModulePtr norm_linear(int64_t in, int64_t out, std::string fc = "linear", bool drop = true);
// ClNormMlpClassifierHead without a hidden layer (Hiera, HieraDet): norm (LayerNorm), pre_logits, drop, fc.
ModulePtr cl_norm_mlp_head(int64_t in, int64_t classes);
// A module of class `cls` whose one child `name` is `m` (EfficientViT's ResidualDrop.m, SHViT's Residual.m).
ModulePtr wrap(std::string cls, std::string name, ModulePtr m);
// A timm model (library "timm", no _no_split_modules) from its root.
Model model(ModulePtr root);
// A ModuleList / Sequential from blocks built by `f(i)`, named 0..n-1.
template <class F>
ModulePtr seq(int64_t n, F&& f, std::string cls = "Sequential") {
  auto s = make(std::move(cls));
  for (int64_t i = 0; i < n; ++i) s->add(std::to_string(i), f(i));
  return s;
}
// Rounds v to a multiple of `divisor` as timm's make_divisible (min divisor, >= 0.9 * v).
int64_t make_divisible(double v, int64_t divisor = 8, int64_t min_value = 0, double round_limit = 0.9);

}  // namespace memfit::timm
