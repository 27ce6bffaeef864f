#include "arch/transformers/media.h"

#include <fmt/format.h>

namespace memfit::media {

void require(const Config& c, bool ok, std::string_view what) {
  if (!ok) throw ConfigError(fmt::format("invalid config for model_type `{}`: {}", c.model_type(), what));
}

int64_t dim(const Config& c, std::string_view key, int64_t def) {
  int64_t v = c.i(key, def);
  require(c, v >= 1 && v <= kMaxDim, fmt::format("`{}` = {} is out of range", key, v));
  return v;
}

int64_t count(const Config& c, std::string_view key, int64_t def) {
  int64_t v = c.i(key, def);
  require(c, v >= 0 && v <= kMaxCount, fmt::format("`{}` = {} is out of range", key, v));
  return v;
}

std::vector<int64_t> dims(const Config& c, std::string_view key, std::vector<int64_t> def, int64_t lo) {
  std::vector<int64_t> v = c.has(key) ? c.ints(key) : std::move(def);
  require(c, v.size() <= static_cast<size_t>(kMaxCount), fmt::format("`{}` is too long", key));
  for (int64_t x : v) require(c, x >= lo && x <= kMaxDim, fmt::format("`{}` holds {}, out of range", key, x));
  return v;
}

std::pair<int64_t, int64_t> pair(const Config& c, std::string_view key, int64_t def) {
  if (c.has(key) && c.raw()[std::string(key)].is_array()) {
    auto v = dims(c, key, {});
    require(c, v.size() == 2, fmt::format("`{}` must be an int or a pair", key));
    return {v[0], v[1]};
  }
  int64_t v = dim(c, key, def);
  return {v, v};
}

void divisible(const Config& c, int64_t a, int64_t b, std::string_view what) {
  require(c, b > 0 && a % b == 0, fmt::format("{}: {} is not divisible by {}", what, a, b));
}

ModulePtr conv1d(int64_t in, int64_t out, int64_t k, bool bias, int64_t groups) {
  auto m = make("Conv1d");
  m->param("weight", {out, in / groups, k});
  if (bias) m->param("bias", {out});
  return m;
}

ModulePtr conv_transpose2d(int64_t in, int64_t out, int64_t k, bool bias, int64_t groups) {
  auto m = make("ConvTranspose2d");
  m->param("weight", {in, out / groups, k, k});
  if (bias) m->param("bias", {out});
  return m;
}

ModulePtr weight_norm_conv1d(int64_t in, int64_t out, int64_t k, int64_t groups) {
  // register_parametrization moves `weight` out of the conv's own parameters, so only the bias stays there.
  auto m = make("ParametrizedConv1d");
  m->param("bias", {out});
  auto weight = make("ParametrizationList");
  weight->param("original0", {1, 1, k});
  weight->param("original1", {out, in / groups, k});
  weight->add("0", blocks::leaf("_WeightNorm"));
  auto dict = make("ModuleDict");
  dict->add("weight", weight);
  m->add("parametrizations", dict);
  return m;
}

ModulePtr kvq_attention(std::string cls, int64_t embed, bool bias, bool k_bias) {
  auto m = make(std::move(cls));
  m->add("k_proj", blocks::linear(embed, embed, bias && k_bias));
  m->add("v_proj", blocks::linear(embed, embed, bias));
  m->add("q_proj", blocks::linear(embed, embed, bias));
  m->add("out_proj", blocks::linear(embed, embed, bias));
  return m;
}

ModulePtr linear_or_identity(int64_t in, int64_t out) {
  return out > 0 ? blocks::linear(in, out) : blocks::leaf("Identity");
}

}  // namespace memfit::media
