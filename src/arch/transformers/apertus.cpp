// Apertus: transformers' modeling_apertus.py. Llama with per-head q_norm/k_norm, an ungated MLP (up_proj -> act ->
// down_proj) and its own layer-norm names. The xIELU activation holds parameters alpha_p, alpha_n [1] and
// buffers beta, eps [] in the config's dtype (float32 when unset).
#include "arch/transformers/decoder.h"
#include "arch/registry.h"
#include "core/dtype.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr xielu(DType dt) {
  auto a = make("XIELUActivation");
  a->param("alpha_p", {1}, dt);
  a->param("alpha_n", {1}, dt);
  a->buffer("beta", {}, dt);
  a->buffer("eps", {}, dt);
  return a;
}

MEMFIT_FAMILY({"apertus"}, "Apertus", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Apertus");
  s.act = c.s("hidden_act", "xielu");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.qk_norm = true;
  DType dt = parse_dtype(c.s("dtype", c.s("torch_dtype", "float32"))).value_or(DType::F32);
  s.mlp = [s, dt] {
    auto m = make("ApertusMLP");
    m->add("up_proj", linear(s.hidden, s.inter, false));
    m->add("down_proj", linear(s.inter, s.hidden, false));
    m->add("act_fn", s.act == "xielu" ? xielu(dt) : leaf(act_class(s.act)));
    return m;
  };
  s.layer_norms = {"attention_layernorm", "feedforward_layernorm"};
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
