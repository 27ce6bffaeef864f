// timm ResNet (timm/models/resnet.py) from its registered arguments: stem (7x7, or the 'deep' / 'deep_tiered' 3x3
// stack), bn1, act1, maxpool (or the replaced stem pool; anti-aliased with AvgPool2d / BlurPool2d), four stages of
// BasicBlock / Bottleneck (cardinality, base_width, SE / ECA attention, avg-pool or conv downsample) or the variant
// blocks of resnet_blocks.h (Res2Net, ResNeSt, SKNet), global_pool, fc. ResNet-B/C/D/S/T, ResNeXt, SE-ResNeXt,
// ECA-ResNet, wide ResNets, ResNet-Blur...
#include <cmath>
#include <set>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"
#include "arch/timm/resnet_blocks.h"

namespace memfit {
using namespace blocks;
using timm::resnet::Opts;

namespace timm::resnet {
ModulePtr norm(const Opts& o, int64_t chs) {
  if (o.norm == "groupnorm") {
    auto g = make("GroupNorm");
    g->param("weight", {chs});
    g->param("bias", {chs});
    return g;
  }
  return batch_norm(chs);
}

ModulePtr aa(const Opts& o, int64_t chs, bool stride2) {
  if (!stride2 || o.aa.empty()) return leaf("Identity");
  return o.aa == "blur" ? timm::blur_pool(chs) : leaf("AvgPool2d");
}
}  // namespace timm::resnet

namespace {
using timm::resnet::aa;
using timm::resnet::norm;

// create_attn('se' | 'eca', chs): SEModule (rd = make_divisible(chs * ratio, 8, round_limit=0)) or EcaModule.
ModulePtr attn(const Opts& o, int64_t chs) {
  if (o.attn == "se") {
    int64_t rd = timm::make_divisible(static_cast<double>(chs) * o.attn_ratio, 8, 0, 0.0);
    return timm::se_module(chs, rd);
  }
  return timm::eca_module(chs);
}

ModulePtr downsample(const Opts& o, int64_t in, int64_t out, int64_t stride) {
  auto d = make("Sequential");
  if (o.avg_down) {
    d->add("0", leaf(stride == 1 ? "Identity" : "AvgPool2d"));
    d->add("1", conv2d(in, out, 1, false));
    d->add("2", norm(o, out));
  } else {
    d->add("0", conv2d(in, out, stride == 1 ? 1 : o.down_kernel, false));
    d->add("1", norm(o, out));
  }
  return d;
}

ModulePtr block(const Opts& o, bool bottleneck, int64_t in, int64_t planes, int64_t stride, bool down) {
  int64_t out = planes * (bottleneck ? 4 : 1);
  int64_t width = bottleneck ? static_cast<int64_t>(std::floor(planes * (o.base_width / 64.0))) * o.cardinality : planes;
  int64_t first = width / o.reduce_first;
  auto b = make(bottleneck ? "Bottleneck" : "BasicBlock");
  if (bottleneck) {
    b->add("conv1", conv2d(in, first, 1, false));
    b->add("bn1", norm(o, first));
    b->add("act1", leaf("ReLU"));
    b->add("conv2", conv2d(first, width, 3, false, o.cardinality));
    b->add("bn2", norm(o, width));
    b->add("drop_block", leaf("Identity"));
    b->add("act2", leaf("ReLU"));
    b->add("aa", aa(o, width, stride == 2));
    b->add("conv3", conv2d(width, out, 1, false));
    b->add("bn3", norm(o, out));
  } else {
    b->add("conv1", conv2d(in, first, 3, false));
    b->add("bn1", norm(o, first));
    b->add("drop_block", leaf("Identity"));
    b->add("act1", leaf("ReLU"));
    b->add("aa", aa(o, first, stride == 2));
    b->add("conv2", conv2d(first, out, 3, false));
    b->add("bn2", norm(o, out));
  }
  if (!o.attn.empty()) b->add("se", attn(o, out));
  b->add(bottleneck ? "act3" : "act2", leaf("ReLU"));
  if (down) b->add("downsample", downsample(o, in, out, stride));
  return b;
}

Model build(const timm::Args& a) {
  Opts o{a.i("cardinality"), a.i("base_width"), a.i("block_reduce_first"), a.i("down_kernel_size"),
         a.b("avg_down"), "", a.has("norm_layer") ? a.layer("norm_layer") : "", "", 1.0 / 16, Json::object()};
  if (o.cardinality < 1 || o.base_width < 1 || o.reduce_first < 1) a.unsupported("cardinality / base_width out of range");
  if (o.norm == "nn.BatchNorm2d" || o.norm == "batchnorm") o.norm = "";
  if (!o.norm.empty() && o.norm != "groupnorm") a.unsupported("norm_layer " + o.norm);
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  if (a.has("aa_layer")) {
    std::string aa = a.layer("aa_layer");
    if (aa != "nn.AvgPool2d" && aa != "BlurPool2d") a.unsupported("aa_layer " + aa);
    o.aa = aa == "BlurPool2d" ? "blur" : "avg";
  }
  if (a.has("block_args")) {
    const Json& ba = a.raw("block_args");
    for (auto it = ba.begin(); it != ba.end(); ++it) {
      static const std::set<std::string, std::less<>> variant_args{"scale", "radix", "avd", "avd_first", "sk_kwargs"};
      if (variant_args.contains(it.key())) o.block_args[it.key()] = it.value();
      else if (it.key() != "attn_layer") a.unsupported("block_args." + it.key());
    }
    const Json& at = ba.contains("attn_layer") ? ba["attn_layer"] : Json();
    if (at.is_string()) o.attn = at.get<std::string>();
    else if (at.is_object() && at.value("$call", "") == "partial" && at["args"][0].value("$call", "") == "get_attn") {
      o.attn = at["args"][0]["args"][0].get<std::string>();
      o.attn_ratio = at["kwargs"].value("rd_ratio", o.attn_ratio);
    }
    if (!at.is_null() && o.attn != "se" && o.attn != "eca") a.unsupported("attn_layer " + at.dump());
  }
  std::vector<std::string> fns;
  const Json& blk = a.raw("block");
  for (size_t s = 0; s < 4; ++s) fns.push_back(timm::layer_name(blk.is_array() ? blk.at(s) : blk));
  auto layers = a.ints("layers"), channels = a.ints("channels");
  if (layers.size() != 4 || channels.size() != 4) a.unsupported("not four stages");

  std::string stem_type = a.s("stem_type");
  int64_t sw = a.i("stem_width");
  bool deep = stem_type.find("deep") != std::string::npos;
  int64_t inplanes = deep ? sw * 2 : 64;
  auto root = make("ResNet");
  int64_t in_chans = timm::checked(a.i("in_chans"), 1, 4096, "in_chans");
  if (deep) {
    int64_t s0 = stem_type.find("tiered") != std::string::npos ? 3 * (sw / 4) : sw;
    auto st = make("Sequential");
    st->add("0", conv2d(in_chans, s0, 3, false));
    st->add("1", norm(o, s0));
    st->add("2", leaf("ReLU"));
    st->add("3", conv2d(s0, sw, 3, false));
    st->add("4", norm(o, sw));
    st->add("5", leaf("ReLU"));
    st->add("6", conv2d(sw, inplanes, 3, false));
    root->add("conv1", st);
  } else {
    root->add("conv1", conv2d(in_chans, inplanes, 7, false));
  }
  root->add("bn1", norm(o, inplanes));
  root->add("act1", leaf("ReLU"));
  if (a.b("replace_stem_pool")) {
    auto mp = make("Sequential");
    int i = 0;
    mp->add(std::to_string(i++), conv2d(inplanes, inplanes, 3, false));
    if (!o.aa.empty()) mp->add(std::to_string(i++), o.aa == "blur" ? timm::blur_pool(inplanes) : leaf("AvgPool2d"));
    mp->add(std::to_string(i++), norm(o, inplanes));
    mp->add(std::to_string(i++), leaf("ReLU"));
    root->add("maxpool", mp);
  } else if (o.aa == "blur") {
    auto mp = make("Sequential");
    mp->add("0", leaf("MaxPool2d"));
    mp->add("1", timm::blur_pool(inplanes));
    root->add("maxpool", mp);
  } else {
    root->add("maxpool", leaf(o.aa == "avg" ? "AvgPool2d" : "MaxPool2d"));
  }
  int64_t in = inplanes;
  for (size_t s = 0; s < 4; ++s) {
    bool plain = fns[s] == "BasicBlock" || fns[s] == "Bottleneck";
    int64_t out = channels[s] * timm::resnet::expansion(fns[s]), stride = s == 0 ? 1 : 2;
    bool down = stride != 1 || in != out;
    root->add("layer" + std::to_string(s + 1), timm::seq(timm::checked(layers[s], 0, 1000, "layers"), [&](int64_t k) {
                bool d = k == 0 && down;
                auto b = plain ? block(o, fns[s] == "Bottleneck", in, channels[s], k == 0 ? stride : 1, d)
                               : timm::resnet::variant_block(a, o, fns[s], in, channels[s], k == 0 && stride == 2,
                                                             d ? downsample(o, in, out, stride) : nullptr);
                in = out;
                return b;
              }));
  }
  root->add("global_pool", timm::select_pool());
  root->add("fc", timm::fc_or_identity(in, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"ResNet"}, build);

}  // namespace
}  // namespace memfit
