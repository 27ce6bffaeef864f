// The DAC codec's conv encoder and decoder (transformers' modeling_dac.py), which X-Codec builds through
// AutoModel(dac).encoder / .decoder and PE Audio copies as PeAudioDacEncoder: Snake1d activations and plain Conv1d
// / ConvTranspose1d (weight norm is only applied by an explicit apply_weight_norm()).
#pragma once
#include <functional>
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::dac {

// The activation module over `dim` channels: Snake1d (alpha [1, dim, 1]) unless a family passes its own.
using Activation = std::function<ModulePtr(int64_t dim)>;
ModulePtr snake(int64_t dim);
// <p>Encoder (p = "Dac", "PeAudioDac", "Xcodec2"): conv1, one <p>EncoderBlock per downsampling ratio (three
// <p>ResidualUnits, an activation and a strided conv), an activation, conv2.
ModulePtr encoder(const Config& c, const std::string& p = "Dac", const Activation& act = snake);
// DacDecoder: conv1, one DacDecoderBlock per upsampling ratio, snake1, conv2, tanh (Identity when `identity_tanh`).
ModulePtr decoder(const Config& c, bool identity_tanh = false);

}  // namespace memfit::dac
