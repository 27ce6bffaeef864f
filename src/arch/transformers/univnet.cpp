// UnivNet: transformers' modeling_univnet.py. A vocoder from log-mel spectrograms: conv_pre, one location-variable
// convolution block per upsampling stride (a transposed conv, a kernel predictor that turns the spectrogram into the
// LVC kernels/biases, and one dilated residual conv per dilation), conv_post. Weight norm is only applied by an
// explicit apply_weight_norm() call, so the built model holds plain convs.
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/audio_codec.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// UnivNetKernelPredictor(config, conv_kernel_size=k, conv_layers=n).
ModulePtr kernel_predictor(const Config& c, int64_t hidden, int64_t k, int64_t n) {
  int64_t mels = media::dim(c, "num_mel_bins", 100), kp = media::dim(c, "kernel_predictor_hidden_channels", 64);
  int64_t ks = media::dim(c, "kernel_predictor_conv_size", 3), in = media::dim(c, "model_in_channels", 64);
  auto res = make("UnivNetKernelPredictorResidualBlock");
  res->add("dropout", leaf("Dropout"));
  res->add("conv1", media::conv1d(in, in, ks));
  res->add("conv2", media::conv1d(in, in, ks));
  auto m = make("UnivNetKernelPredictor");
  m->add("input_conv", media::conv1d(mels, kp, 5));
  m->add("resblocks", repeat(res, media::count(c, "kernel_predictor_num_blocks", 3)));
  m->add("kernel_conv", media::conv1d(kp, hidden * 2 * hidden * k * n, ks));
  m->add("bias_conv", media::conv1d(kp, 2 * hidden * n, ks));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "UnivNetModel") heads::unsupported(cls);
  int64_t hidden = media::dim(c, "model_hidden_channels", 32);
  auto kernels = media::dims(c, "resblock_kernel_sizes", {3, 3, 3});
  auto strides = media::dims(c, "resblock_stride_sizes", {8, 8, 4});
  auto dilations = audio::nested(c, "resblock_dilation_sizes", {{1, 3, 9, 27}, {1, 3, 9, 27}, {1, 3, 9, 27}});
  media::require(c, kernels.size() >= strides.size() && dilations.size() >= strides.size(),
                 "resblock_kernel_sizes / resblock_dilation_sizes are shorter than resblock_stride_sizes");
  std::vector<ModulePtr> blocks;
  for (size_t i = 0; i < strides.size(); ++i) {
    int64_t k = kernels[i], n = static_cast<int64_t>(dilations[i].size());
    auto b = make("UnivNetLvcBlock");
    b->add("convt_pre", audio::conv_transpose1d(hidden, hidden, 2 * strides[i]));
    b->add("kernel_predictor", kernel_predictor(c, hidden, k, n));
    auto res = make("UnivNetLvcResidualBlock");
    res->add("conv", media::conv1d(hidden, hidden, k));
    b->add("resblocks", repeat(res, n));
    blocks.push_back(b);
  }
  auto m = make("UnivNetModel");
  m->add("conv_pre", media::conv1d(media::dim(c, "model_in_channels", 64), hidden, 7));
  m->add("resblocks", module_list(std::move(blocks)));
  m->add("conv_post", media::conv1d(hidden, 1, 7));
  return {m, {}};
}

MEMFIT_FAMILY({"univnet"}, "UnivNet", build);

}  // namespace
}  // namespace memfit
