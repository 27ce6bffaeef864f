#include "tree/measure.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

namespace memfit {

namespace {

struct SizeCache {
  std::unordered_map<const Module*, uint64_t> bits;
  uint64_t of(const Module& m) {
    if (auto it = bits.find(&m); it != bits.end()) return it->second;
    uint64_t s = 0;
    for (const auto& [_, t] : m.params) s += t.bits();
    for (const auto& [_, t] : m.buffers) s += t.bits();
    for (const auto& [_, c] : m.children) s += of(*c);
    bits.emplace(&m, s);
    return s;
  }
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

uint64_t subtree_bits(const Module& m) {
  SizeCache c;
  return c.of(m);
}

Measurement measure(const Model& model) {
  Measurement r;
  for_each_tensor(*model.root, [&](const TensorVisit& v) {
    uint64_t b = v.tensor.bits();
    if (v.tensor.dtype == DType::Bool) r.fractional = true;
    r.total_bits += b;
    if (v.is_buffer) {
      r.buffer_bits += b;
    } else {
      r.parameters += v.tensor.numel();
      r.param_tensors += 1;
    }
  });

  // get_max_layer_size, seeded like calculate_maximum_sizes: direct params, children, direct buffers.
  struct Item {
    std::string name;
    const Module* module;  // nullptr for a bare tensor
    uint64_t bits;
  };
  SizeCache cache;
  std::deque<Item> todo;
  const Module& root = *model.root;
  for (const auto& [n, t] : root.params) todo.push_back({n, nullptr, t.bits()});
  for (const auto& [n, c] : root.children) todo.push_back({n, c.get(), 0});
  for (const auto& [n, t] : root.buffers) todo.push_back({n, nullptr, t.bits()});
  while (!todo.empty()) {
    Item it = std::move(todo.front());
    todo.pop_front();
    if (it.module && !it.module->children.empty() && !contains(model.no_split, it.module->cls)) {
      const auto& ch = it.module->children;
      for (auto c = ch.rbegin(); c != ch.rend(); ++c) todo.push_front({it.name + "." + c->first, c->second.get(), 0});
      continue;
    }
    uint64_t s = it.module ? cache.of(*it.module) : it.bits;
    if (s > r.largest_bits) {
      r.largest_bits = s;
      r.largest_names = {it.name};
    } else if (s == r.largest_bits) {
      r.largest_names.push_back(it.name);
    }
  }
  return r;
}

std::vector<std::pair<std::string, uint64_t>> module_sizes(const Model& model) {
  std::vector<std::pair<std::string, uint64_t>> out;
  std::unordered_map<std::string, size_t> index;
  auto add = [&](const std::string& key, uint64_t b) {
    auto [it, fresh] = index.try_emplace(key, out.size());
    if (fresh) out.emplace_back(key, 0);
    out[it->second].second += b;
  };
  for_each_tensor(*model.root, [&](const TensorVisit& v) {
    uint64_t b = v.tensor.bits();
    add("", b);
    for (size_t p = v.name.find('.'); p != std::string::npos; p = v.name.find('.', p + 1)) add(v.name.substr(0, p), b);
    add(v.name, b);
  });
  return out;
}

}  // namespace memfit

namespace memfit {

namespace {
void state_walk(const Module& m, std::string& prefix, std::vector<StateEntry>& out) {
  const size_t base = prefix.size();
  for (const auto& [n, t] : m.params)
    if (t.tied_to.empty()) out.push_back({prefix + n, &t});
  for (const auto& [n, t] : m.buffers)
    if (t.persistent) out.push_back({prefix + n, &t});
  for (const auto& [n, c] : m.children) {
    prefix.append(n).push_back('.');
    state_walk(*c, prefix, out);
    prefix.resize(base);
  }
}
}  // namespace

std::vector<StateEntry> state_dict(const Model& m) {
  std::vector<StateEntry> out;
  std::string prefix;
  state_walk(*m.root, prefix, out);
  return out;
}

}  // namespace memfit

namespace memfit {

std::vector<CheckpointTensor> checkpoint_tensors(const Model& m) {
  std::vector<CheckpointTensor> out;
  for (const auto& e : state_dict(m)) {
    if (m.to_checkpoint) {
      for (auto& t : m.to_checkpoint(e.name, *e.tensor)) out.push_back(std::move(t));
    } else {
      out.push_back({e.name, e.tensor->shape, e.tensor->dtype});
    }
  }
  return out;
}

}  // namespace memfit
