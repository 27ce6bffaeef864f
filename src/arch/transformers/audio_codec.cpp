#include "arch/transformers/audio_codec.h"

#include <algorithm>
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/media.h"
#include "core/error.h"

namespace memfit::audio {

ModulePtr conv_transpose1d(int64_t in, int64_t out, int64_t k, bool bias, int64_t groups) {
  if (groups <= 0 || out % groups) throw ConfigError("conv groups must divide the channels");
  auto m = make("ConvTranspose1d");
  m->param("weight", {in, out / groups, k});
  if (bias) m->param("bias", {out});
  return m;
}

ModulePtr weight_norm(std::string conv_cls, std::vector<int64_t> weight, int64_t bias) {
  // register_parametrization moves `weight` out of the conv's own parameters, so only the bias stays there.
  auto m = make("Parametrized" + conv_cls);
  if (bias > 0) m->param("bias", {bias});
  std::vector<int64_t> g(weight.size(), 1);
  g[0] = weight[0];
  auto w = make("ParametrizationList");
  w->param("original0", g);
  w->param("original1", weight);
  w->add("0", blocks::leaf("_WeightNorm"));
  auto dict = make("ModuleDict");
  dict->add("weight", w);
  m->add("parametrizations", dict);
  return m;
}

ModulePtr wn_conv1d(int64_t in, int64_t out, int64_t k, bool bias, int64_t groups) {
  if (groups <= 0 || in % groups) throw ConfigError("conv groups must divide the channels");
  return weight_norm("Conv1d", {out, in / groups, k}, bias ? out : 0);
}

ModulePtr wn_conv_transpose1d(int64_t in, int64_t out, int64_t k, bool bias) {
  return weight_norm("ConvTranspose1d", {in, out, k}, bias ? out : 0);
}

int64_t codec_quantizers(const Config& c, double hop, int64_t rate, int64_t codebook_size, double bw_def) {
  double bw = bw_def;
  auto it = c.raw().find("target_bandwidths");
  if (it != c.raw().end() && it->is_array() && !it->empty() && it->back().is_number()) bw = it->back().get<double>();
  double frame_rate = std::ceil(static_cast<double>(rate) / hop);
  double q = std::floor(1000 * bw / (frame_rate * std::ceil(std::log2(static_cast<double>(codebook_size)))));
  media::require(c, std::isfinite(q) && q >= 0 && q <= media::kMaxCount, "num_quantizers is out of range");
  return static_cast<int64_t>(q);
}

ModulePtr lstm(int64_t in, int64_t hidden, int64_t layers) {
  auto m = make("LSTM");
  for (int64_t l = 0; l < checked_count(layers, "LSTM layers"); ++l) {
    std::string sfx = "_l" + std::to_string(l);
    m->param("weight_ih" + sfx, {4 * hidden, l == 0 ? in : hidden});
    m->param("weight_hh" + sfx, {4 * hidden, hidden});
    m->param("bias_ih" + sfx, {4 * hidden});
    m->param("bias_hh" + sfx, {4 * hidden});
  }
  return m;
}

HifiGan hifigan(const Config& c, int64_t in) {
  int64_t ch0 = media::dim(c, "upsample_initial_channel", 512);
  auto rates = media::dims(c, "upsample_rates", {8, 8, 2, 2});
  auto ups_k = media::dims(c, "upsample_kernel_sizes", {16, 16, 4, 4});
  auto res_k = media::dims(c, "resblock_kernel_sizes", {3, 7, 11});
  auto dil = nested(c, "resblock_dilation_sizes", {{1, 3, 5}, {1, 3, 5}, {1, 3, 5}});
  size_t n_up = std::min(rates.size(), ups_k.size()), n_res = std::min(res_k.size(), dil.size());
  media::require(c, n_up >= 1 && n_up <= 20, "upsample_rates must hold 1 to 20 entries");
  std::vector<ModulePtr> ups, res;
  int64_t channels = ch0;
  for (size_t i = 0; i < n_up; ++i) {
    ups.push_back(conv_transpose1d(ch0 >> i, ch0 >> (i + 1), ups_k[i]));
    channels = ch0 >> (i + 1);
    media::require(c, channels > 0, "upsample_initial_channel is too small for upsample_rates");
    for (size_t j = 0; j < n_res; ++j) {
      auto b = make("HifiGanResidualBlock");
      auto conv = media::conv1d(channels, channels, res_k[j]);
      auto n = static_cast<int64_t>(dil[j].size());
      b->add("convs1", repeat(conv, n));
      b->add("convs2", repeat(conv, n));
      res.push_back(b);
    }
  }
  return {media::conv1d(in, ch0, 7), module_list(std::move(ups)), module_list(std::move(res)), channels};
}

std::vector<std::vector<int64_t>> nested(const Config& c, std::string_view key, std::vector<std::vector<int64_t>> def) {
  auto it = c.raw().find(std::string(key));
  if (it == c.raw().end() || it->is_null()) return def;
  const Json* j = &*it;
  std::string what(key);
  if (!j->is_array() || j->size() > static_cast<size_t>(media::kMaxCount)) throw ConfigError(what + " must be a list");
  std::vector<std::vector<int64_t>> out;
  for (const auto& row : *j) {
    if (!row.is_array() || row.size() > static_cast<size_t>(media::kMaxCount))
      throw ConfigError(what + " must be a list of lists");
    std::vector<int64_t> r;
    for (const auto& x : row) {
      if (!x.is_number_integer()) throw ConfigError(what + " must hold integers");
      int64_t v = x.get<int64_t>();
      if (v < 1 || v > media::kMaxDim) throw ConfigError(what + " holds an out-of-range value");
      r.push_back(v);
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace memfit::audio
