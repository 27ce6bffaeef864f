// Ministral 3 (the text model of Mistral 3 / Ministral 3): transformers' modeling_ministral3.py. Mistral's tree:
// bias-free q/k/v/o with an explicit head_dim, gated SiLU MLP, two RMSNorms per layer.
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

MEMFIT_FAMILY({"ministral3"}, "Ministral3", [](const Config& c, std::string_view cls) {
  return decoder_for(read_decoder(c, "Ministral3"), cls);
});

}  // namespace
}  // namespace memfit
