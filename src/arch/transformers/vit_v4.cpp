// The transformers 4 ViT layer (vit_v4.h).
#include "arch/transformers/vit_v4.h"

#include "arch/blocks.h"
#include "arch/transformers/media.h"

namespace memfit {
using namespace blocks;

ModulePtr vit_v4_layer(const Config& c, const std::string& p, const std::string& self_cls, int64_t h) {
  int64_t inter = media::dim(c, "intermediate_size", 3072);
  bool qkv_bias = c.b("qkv_bias", true);
  auto self = make(self_cls);
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(h, h, qkv_bias));
  auto out = make(p + "SelfOutput");
  out->add("dense", linear(h, h));
  out->add("dropout", leaf("Dropout"));
  auto attn = make(p + "Attention");
  attn->add("attention", self);
  attn->add("output", out);
  auto im = make(p + "Intermediate");
  im->add("dense", linear(h, inter));
  im->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto o = make(p + "Output");
  o->add("dense", linear(inter, h));
  o->add("dropout", leaf("Dropout"));
  auto l = make(p + "Layer");
  l->add("attention", attn);
  l->add("intermediate", im);
  l->add("output", o);
  l->add("layernorm_before", layer_norm(h));
  l->add("layernorm_after", layer_norm(h));
  return l;
}

}  // namespace memfit
