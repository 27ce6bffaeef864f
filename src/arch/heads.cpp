#include "arch/heads.h"

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

void unsupported(std::string_view cls) {
  throw UnsupportedClass(fmt::format("class `{}` is not supported yet", cls));
}

}  // namespace memfit::heads
