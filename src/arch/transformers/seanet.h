// SEANet, the conv encoder/decoder of EnCodec and Mimi (modeling_encodec.py, modeling_mimi.py): the layer lists of
// <p>Encoder / <p>Decoder, with each family's conv module passed in (EncodecConv1d, MimiConv1d, ...).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::seanet {

// A family's conv wrapper: (in, out, kernel, transposed) -> module.
using Conv = std::function<ModulePtr(int64_t in, int64_t out, int64_t k, bool transpose)>;

struct Shape {
  std::string p;  // class prefix: "Encodec", "Mimi"
  int64_t audio_channels, filters, hidden, kernel, last_kernel, res_kernel, compress, res_layers;
  std::vector<int64_t> ratios;
  bool shortcut;
  int64_t lstm_layers;  // 0: no <p>LSTM at the bottleneck (Mimi)
};

// Reads the SEANet keys every codec config shares (defaults are EnCodec's; pass the family's where they differ).
Shape read(const Config& c, std::string p, std::vector<int64_t> ratios_def, int64_t lstm_layers);
// <p>Encoder / <p>Decoder: `layers` as the ModuleList transformers builds.
ModulePtr encoder(const Shape& s, const Conv& conv);
ModulePtr decoder(const Shape& s, const Conv& conv);

}  // namespace memfit::seanet
