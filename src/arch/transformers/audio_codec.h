// Pieces the audio codecs and vocoders share (EnCodec, Mimi, X-Codec, UnivNet, VITS, ...): 1-d transposed convs,
// torch's weight_norm parametrization over any conv (parametrizations.weight.original0/1), nested int lists.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::audio {

// nn.ConvTranspose1d: weight [in, out/groups, k], bias [out].
ModulePtr conv_transpose1d(int64_t in, int64_t out, int64_t k, bool bias = true, int64_t groups = 1);
// torch.nn.utils.parametrizations.weight_norm(conv, dim=0) over a conv whose weight is `weight` (the class gets the
// "Parametrized" prefix): the conv keeps its bias; g = original0 is [weight[0], 1, ...], v = original1 the weight.
ModulePtr weight_norm(std::string conv_cls, std::vector<int64_t> weight, int64_t bias);
// weight_norm over nn.Conv1d(in, out, k, groups) / nn.ConvTranspose1d(in, out, k).
ModulePtr wn_conv1d(int64_t in, int64_t out, int64_t k, bool bias = true, int64_t groups = 1);
ModulePtr wn_conv_transpose1d(int64_t in, int64_t out, int64_t k, bool bias = true);
// EnCodec / X-Codec's num_quantizers: int(1000 * target_bandwidths[-1] // (frame_rate * codebook_nbits)), with
// frame_rate = ceil(sampling rate / hop) and codebook_nbits = ceil(log2(codebook_size)).
int64_t codec_quantizers(const Config& c, double hop, int64_t rate, int64_t codebook_size, double bw_def);
// nn.LSTM(in, hidden, layers): weight_ih_l<k>, weight_hh_l<k>, bias_ih_l<k>, bias_hh_l<k> per layer.
ModulePtr lstm(int64_t in, int64_t hidden, int64_t layers);
// HiFi-GAN's generator (SpeechT5HifiGan, FastSpeech2ConformerHifiGan, VitsHifiGan): conv_pre from `in`
// channels, one ConvTranspose1d per upsample rate halving upsample_initial_channel, one HifiGanResidualBlock
// (convs1 / convs2, one Conv1d per dilation) per upsampler and resblock kernel; `out_channels` returns the last width.
struct HifiGan {
  ModulePtr conv_pre, upsampler, resblocks;
  int64_t out_channels;
};
HifiGan hifigan(const Config& c, int64_t in);
// A list of int lists (resblock_dilation_sizes); `def` when absent; each entry checked as media::dims does.
std::vector<std::vector<int64_t>> nested(const Config& c, std::string_view key, std::vector<std::vector<int64_t>> def);

}  // namespace memfit::audio
