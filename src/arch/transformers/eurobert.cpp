// EuroBERT (modeling_eurobert.py): Llama's tree as a bidirectional encoder (EuroBertModel: embed_tokens, layers,
// norm, rotary_emb); EuroBertForMaskedLM's lm_head carries a bias when mlp_bias; the sequence classifier adds
// dense + GELU + classifier. _no_split_modules: EuroBertDecoderLayer.
#include "arch/blocks.h"
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "EuroBert");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  if (cls == "EuroBertModel") return decoder_for(s, cls);
  const std::vector<std::string> no_split{"EuroBertDecoderLayer"};
  auto root = make(std::string(cls));
  root->add("model", decoder_model(s));
  if (cls == "EuroBertForMaskedLM") {
    auto head = make("Linear");
    if (s.tie_embeddings) head->tie("weight", {s.vocab, s.hidden}, "model.embed_tokens.weight");
    else head->param("weight", {s.vocab, s.hidden});
    if (s.mlp_bias) head->param("bias", {s.vocab});
    root->add("lm_head", head);
  } else if (cls == "EuroBertForSequenceClassification") {
    root->add("dense", linear(s.hidden, s.hidden));
    root->add("activation", leaf("GELU"));
    root->add("classifier", linear(s.hidden, s.num_labels));
  } else if (cls == "EuroBertForTokenClassification") {
    root->add("classifier", linear(s.hidden, s.num_labels));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"eurobert"}, "EuroBert", build);

}  // namespace
