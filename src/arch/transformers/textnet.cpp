// TextNet: transformers' modeling_textnet.py. A conv stem and stages of RepConv layers (a main kxk conv, vertical
// kx1 and horizontal 1xk convs where the kernel has that extent, each with a BatchNorm, plus an identity BatchNorm
// where shape is kept); kernel sizes and strides are per-layer lists in the config.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// The element at `path` (nested array indices) of the config list `key`.
const Json& nested(const Config& c, std::string_view key, std::initializer_list<size_t> path) {
  auto it = c.raw().find(key);
  if (it == c.raw().end()) c.missing(key);
  const Json* j = &*it;
  for (size_t i : path) {
    if (!j->is_array() || j->size() <= i) c.missing(key);
    j = &(*j)[i];
  }
  return *j;
}

int64_t nested_int(const Config& c, std::string_view key, std::initializer_list<size_t> path) {
  const Json& j = nested(c, key, path);
  if (!j.is_number_integer() || j.get<int64_t>() < 1 || j.get<int64_t>() > 64) c.missing(key);
  return j.get<int64_t>();
}

size_t list_size(const Config& c, std::string_view key, std::initializer_list<size_t> path) {
  const Json& j = nested(c, key, path);
  if (!j.is_array() || j.size() > static_cast<size_t>(media::kMaxCount)) c.missing(key);
  return j.size();
}

ModulePtr rep_conv(int64_t in, int64_t out, int64_t kh, int64_t kw, int64_t stride) {
  auto l = make("TextNetRepConvLayer");
  l->add("activation_function", leaf("ReLU"));
  l->add("main_conv", conv2d(in, out, kh, kw, false));
  l->add("main_batch_norm", batch_norm(out));
  if (kw != 1) {
    l->add("vertical_conv", conv2d(in, out, kh, 1, false));
    l->add("vertical_batch_norm", batch_norm(out));
  }
  if (kh != 1) {
    l->add("horizontal_conv", conv2d(in, out, 1, kw, false));
    l->add("horizontal_batch_norm", batch_norm(out));
  }
  if (in == out && stride == 1) l->add("rbr_identity", batch_norm(in));
  return l;
}

ModulePtr textnet_model(const Config& c, int64_t& last) {
  auto hidden = media::dims(c, "hidden_sizes", {64, 64, 128, 256, 512});
  size_t n = list_size(c, "conv_layer_kernel_sizes", {});
  media::require(c, hidden.size() > n, "hidden_sizes shorter than the stages + 1");
  auto stages = make("ModuleList");
  for (size_t s = 0; s < n; ++s) {
    size_t layers = list_size(c, "conv_layer_kernel_sizes", {s});
    auto list = make("ModuleList");
    for (size_t i = 0; i < layers; ++i) {
      int64_t kh = nested_int(c, "conv_layer_kernel_sizes", {s, i, 0});
      int64_t kw = nested_int(c, "conv_layer_kernel_sizes", {s, i, 1});
      int64_t stride = nested_int(c, "conv_layer_strides", {s, i});
      list->add(std::to_string(i), rep_conv(i == 0 ? hidden[s] : hidden[s + 1], hidden[s + 1], kh, kw, stride));
    }
    auto st = make("TextNetStage");
    st->add("stage", list);
    stages->add(std::to_string(s), st);
  }
  int64_t k = media::dim(c, "stem_kernel_size", 3), out = media::dim(c, "stem_out_channels", 64);
  media::require(c, k <= 64, "stem_kernel_size out of range");
  auto stem = make("TextNetConvLayer");
  stem->add("conv", conv2d(media::dim(c, "stem_num_channels", 3), out, k, false));
  stem->add("batch_norm", batch_norm(out));
  auto a = c.raw().find("stem_act_func");
  bool none = a != c.raw().end() && a->is_null();
  stem->add("activation", leaf(none ? "Identity" : act_class(c.s("stem_act_func", "relu"))));
  auto enc = make("TextNetEncoder");
  enc->add("stages", stages);
  auto m = make("TextNetModel");
  m->add("stem", stem);
  m->add("encoder", enc);
  m->add("pooler", leaf("AdaptiveAvgPool2d"));
  last = hidden[n];
  return m;
}

MEMFIT_FAMILY({"textnet"}, "TextNet", [](const Config& c, std::string_view cls) -> Model {
  int64_t last = 0;
  if (cls != "TextNetModel") heads::unsupported(cls);
  return {textnet_model(c, last), {}};
});

}  // namespace
}  // namespace memfit
