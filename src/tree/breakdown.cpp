#include "tree/breakdown.h"

#include <cctype>
#include <unordered_map>

#include "tree/measure.h"

namespace memfit {

namespace {
bool numeric(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

struct Walker {
  std::unordered_map<std::string, uint64_t> sizes;
  std::vector<BreakdownEntry> out;

  uint64_t size(const std::string& name) const {
    auto it = sizes.find(name);
    return it == sizes.end() ? 0 : it->second;
  }

  // Looks inside `m` for lists of numbered blocks and reports each run of equal blocks once.
  void lists(const Module& m, const std::string& name, int depth) {
    bool is_list = !m.children.empty() && std::all_of(m.children.begin(), m.children.end(),
                                                      [](const auto& c) { return numeric(c.first); });
    if (!is_list) {
      for (const auto& [n, c] : m.children) lists(*c, name + "." + n, depth);
      return;
    }
    size_t i = 0;
    const auto& ch = m.children;
    while (i < ch.size()) {
      size_t j = i + 1;
      uint64_t s = size(name + "." + ch[i].first);
      while (j < ch.size() && ch[j].second->cls == ch[i].second->cls && size(name + "." + ch[j].first) == s) ++j;
      std::string label = j - i == 1 ? name + "." + ch[i].first
                                     : name + ".{" + ch[i].first + ".." + ch[j - 1].first + "}";
      out.push_back({label, ch[i].second->cls, s, static_cast<int64_t>(j - i), depth});
      lists(*ch[i].second, name + "." + ch[i].first, depth + 1);
      i = j;
    }
  }
};
}  // namespace

std::vector<BreakdownEntry> breakdown(const Model& m) {
  Walker w;
  for (auto& [k, v] : module_sizes(m)) w.sizes.emplace(std::move(k), v);
  const Module& root = *m.root;
  for (const auto& [n, t] : root.params) w.out.push_back({n, "Parameter", w.size(n), 1, 0});
  for (const auto& [n, c] : root.children) {
    bool is_list = !c->children.empty() && std::all_of(c->children.begin(), c->children.end(),
                                                       [](const auto& x) { return numeric(x.first); });
    if (is_list) {
      w.lists(*c, n, 0);
    } else {
      w.out.push_back({n, c->cls, w.size(n), 1, 0});
      w.lists(*c, n, 1);
    }
  }
  for (const auto& [n, t] : root.buffers) w.out.push_back({n, "Buffer", w.size(n), 1, 0});
  return w.out;
}

}  // namespace memfit
