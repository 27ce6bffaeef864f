// Template part of measure.h.
#pragma once

namespace memfit::detail {

template <class F>
void walk(const Module& m, std::string& prefix, F& f, bool buffers, bool include_tied) {
  const size_t base = prefix.size();
  for (const auto& [name, t] : buffers ? m.buffers : m.params) {
    if (!include_tied && !t.tied_to.empty()) continue;
    prefix.append(name);
    f(TensorVisit{prefix, t, buffers});
    prefix.resize(base);
  }
  for (const auto& [name, c] : m.children) {
    prefix.append(name).push_back('.');
    walk(*c, prefix, f, buffers, include_tied);
    prefix.resize(base);
  }
}

}  // namespace memfit::detail

namespace memfit {

template <class F>
void for_each_tensor(const Module& root, F&& f, bool include_tied) {
  std::string prefix;
  detail::walk(root, prefix, f, false, include_tied);
  prefix.clear();
  detail::walk(root, prefix, f, true, include_tied);
}

}  // namespace memfit
