#include "arch/transformers/heads.h"
#include "arch/transformers/lm_head.h"

#include <fmt/format.h>

#include "arch/blocks.h"

namespace memfit::heads {

int64_t num_labels(const Config& c) {
  const Json& j = c.raw();
  if (auto it = j.find("id2label"); it != j.end() && it->is_object() && !it->empty())
    return static_cast<int64_t>(it->size());
  return c.i("num_labels", 2);
}

bool ties_embeddings(const Config& c, bool def) { return c.b("tie_word_embeddings", def); }

ModulePtr lm_head(int64_t hidden, int64_t vocab, bool tied, const std::string& tied_to) {
  if (!tied) return blocks::linear(hidden, vocab, false);
  auto m = make("Linear");
  m->tie("weight", {vocab, hidden}, tied_to);
  return m;
}

Model base_or_causal_lm(std::string_view cls, const std::string& base_cls, const std::string& lm_cls, ModulePtr text,
                        int64_t hidden, int64_t vocab, bool tied, std::vector<std::string> no_split) {
  return base_or_lm(cls, base_cls, lm_cls, std::move(text), "model", hidden, vocab, tied, "model.embed_tokens.weight",
                    std::move(no_split));
}

Model base_or_lm(std::string_view cls, const std::string& base_cls, const std::string& lm_cls, ModulePtr text,
                 const std::string& attr, int64_t hidden, int64_t vocab, bool tied, const std::string& tied_to,
                 std::vector<std::string> no_split) {
  if (cls == base_cls) return {text, std::move(no_split)};
  if (cls != lm_cls) unsupported(cls);
  auto root = make(std::string(cls));
  root->add(attr, text);
  root->add("lm_head", lm_head(hidden, vocab, tied, tied_to));
  return {root, std::move(no_split)};
}

void unsupported(std::string_view cls) {
  throw UnsupportedClass(fmt::format("class `{}` is not supported yet", cls));
}

}  // namespace memfit::heads
