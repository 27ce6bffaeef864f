#include "arch/transformers/seanet.h"

#include "arch/blocks.h"
#include "arch/transformers/audio_codec.h"
#include "arch/transformers/media.h"

namespace memfit::seanet {
using namespace blocks;

Shape read(const Config& c, std::string p, std::vector<int64_t> ratios_def, int64_t lstm_layers) {
  Shape s{std::move(p), media::dim(c, "audio_channels", 1), media::dim(c, "num_filters", 32),
          media::dim(c, "hidden_size", 128), media::dim(c, "kernel_size", 7), media::dim(c, "last_kernel_size", 7),
          media::dim(c, "residual_kernel_size", 3), media::dim(c, "compress", 2),
          media::count(c, "num_residual_layers", 1), media::dims(c, "upsampling_ratios", std::move(ratios_def)),
          c.b("use_conv_shortcut", true), lstm_layers};
  media::require(c, s.ratios.size() <= 20, "upsampling_ratios is too long");
  return s;
}

namespace {

// <p>ResnetBlock(dim): ELU, conv(k=residual_kernel_size) to dim/compress, ELU, conv(k=1) back; a 1x1 shortcut.
ModulePtr resnet_block(const Shape& s, const Conv& conv, int64_t dim) {
  int64_t hidden = dim / s.compress;
  auto m = make(s.p + "ResnetBlock");
  m->add("block", module_list({leaf("ELU"), conv(dim, hidden, s.res_kernel, false), leaf("ELU"),
                               conv(hidden, dim, 1, false)}));
  m->add("shortcut", s.shortcut ? conv(dim, dim, 1, false) : leaf("Identity"));
  return m;
}

ModulePtr lstm(const Shape& s, int64_t d) {
  auto m = make(s.p + "LSTM");
  m->add("lstm", audio::lstm(d, d, s.lstm_layers));
  return m;
}

}  // namespace

ModulePtr encoder(const Shape& s, const Conv& conv) {
  std::vector<ModulePtr> l{conv(s.audio_channels, s.filters, s.kernel, false)};
  int64_t scale = 1;
  for (auto it = s.ratios.rbegin(); it != s.ratios.rend(); ++it) {
    for (int64_t j = 0; j < s.res_layers; ++j) l.push_back(resnet_block(s, conv, scale * s.filters));
    l.push_back(leaf("ELU"));
    l.push_back(conv(scale * s.filters, scale * s.filters * 2, *it * 2, false));
    scale *= 2;
  }
  if (s.lstm_layers > 0) l.push_back(lstm(s, scale * s.filters));
  l.push_back(leaf("ELU"));
  l.push_back(conv(scale * s.filters, s.hidden, s.last_kernel, false));
  auto m = make(s.p + "Encoder");
  m->add("layers", module_list(std::move(l)));
  return m;
}

ModulePtr decoder(const Shape& s, const Conv& conv) {
  int64_t scale = int64_t{1} << s.ratios.size();
  std::vector<ModulePtr> l{conv(s.hidden, scale * s.filters, s.kernel, false)};
  if (s.lstm_layers > 0) l.push_back(lstm(s, scale * s.filters));
  for (int64_t r : s.ratios) {
    int64_t cur = scale * s.filters;
    l.push_back(leaf("ELU"));
    l.push_back(conv(cur, cur / 2, r * 2, true));
    for (int64_t j = 0; j < s.res_layers; ++j) l.push_back(resnet_block(s, conv, cur / 2));
    scale /= 2;
  }
  l.push_back(leaf("ELU"));
  l.push_back(conv(s.filters, s.audio_channels, s.last_kernel, false));
  auto m = make(s.p + "Decoder");
  m->add("layers", module_list(std::move(l)));
  return m;
}

}  // namespace memfit::seanet
