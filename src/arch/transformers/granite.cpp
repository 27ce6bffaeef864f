// Granite (3.x dense): transformers' modeling_granite.py. The Llama tree; its embedding/residual/attention/logits
// multipliers are scalars, not tensors. GraniteSWA (modeling_granite_swa.py): the same tree with a per-head
// attention `sinks` vector, plus rotary_embs, one rotary embedding per distinct non-zero layer_rope_theta.
#include <set>

#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

MEMFIT_FAMILY({"granite"}, "Granite", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Granite");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"granite_swa"}, "GraniteSWA", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "GraniteSWA");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  s.attention = [s] {
    auto a = decoder_attention(s);
    a->param("sinks", {s.heads});
    return a;
  };
  std::set<double> thetas;
  if (auto j = c.raw().find("layer_rope_theta"); j != c.raw().end() && j->is_array())
    for (const auto& t : *j)
      if (t.is_number() && t.get<double>() != 0) thetas.insert(t.get<double>());
  Model m = decoder_for(s, cls);
  ModulePtr text = m.root->cls == "GraniteSWAModel" ? m.root : m.root->child("model");
  std::vector<ModulePtr> per_theta(thetas.size(), blocks::rotary("GraniteSWARotaryEmbedding", s.head_dim));
  text->add("rotary_embs", module_list(std::move(per_theta)));
  return m;
});

}  // namespace
}  // namespace memfit
