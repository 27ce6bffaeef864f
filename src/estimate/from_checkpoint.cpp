#include "estimate/from_checkpoint.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace memfit {

namespace {

std::vector<std::string> split(const std::string& name) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1)
    out.push_back(name.substr(start, dot - start));
  out.push_back(name.substr(start));
  return out;
}

bool numeric(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Module order as PyTorch registers repeated blocks: "layers.2" before "layers.10" (headers sort names as text).
bool natural_less(const std::string& a, const std::string& b) {
  auto x = split(a), y = split(b);
  for (size_t k = 0; k < std::min(x.size(), y.size()); ++k) {
    if (x[k] == y[k]) continue;
    if (numeric(x[k]) && numeric(y[k]) && x[k].size() < 10 && y[k].size() < 10) return std::stoll(x[k]) < std::stoll(y[k]);
    return x[k] < y[k];
  }
  return x.size() < y.size();
}

// The layer a tensor belongs to: the first "<list>.<index>" of its name (a decoder layer, a vision block), kept
// whole as accelerate keeps a no-split module; otherwise the module holding it (its name less the last part).
std::string layer_of(const std::string& name) {
  auto parts = split(name);
  std::string prefix;
  for (size_t k = 0; k < parts.size(); ++k) {
    prefix += (k ? "." : "") + parts[k];
    if (k > 0 && k + 1 < parts.size() && numeric(parts[k])) return prefix;
  }
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

bool is_float(const std::string& dtype) { return dtype.starts_with("F") || dtype == "BF16" || dtype.starts_with("C"); }

}  // namespace

CheckpointMeasurement measure_checkpoint(const inspect::Report& r, Target target) {
  CheckpointMeasurement out;
  std::vector<const inspect::Tensor*> ts;
  for (const auto& t : r.tensor_list) ts.push_back(&t);
  if (!r.quantization.method.empty()) {
    out.complete = false;
    out.notes.push_back(fmt::format("the checkpoint is quantized ({}): parameters are counted unpacked, but the float "
                                    "model accelerate builds may differ",
                                    r.quantization.method));
  }
  // AutoModel builds the base model: when most tensors sit under one top-level prefix (model., transformer., bert.),
  // the others (lm_head, score, classifier, ...) belong to the task head it does not build, and the prefix goes.
  std::string strip;
  if (target == Target::Accelerate && !ts.empty()) {
    std::map<std::string, size_t> firsts;
    for (auto* t : ts) ++firsts[split(t->name)[0]];
    auto top = std::max_element(firsts.begin(), firsts.end(), [](auto& a, auto& b) { return a.second < b.second; });
    if (firsts.size() > 1 && top->second * 2 > ts.size()) {
      std::vector<std::string> removed;
      std::erase_if(ts, [&](const inspect::Tensor* t) {
        bool head = split(t->name)[0] != top->first;
        if (head) removed.push_back(t->name);
        return head;
      });
      strip = top->first + ".";
      out.notes.push_back(fmt::format("removed {} head tensor(s) AutoModel does not build ({}); the base model's names "
                                      "drop the `{}` prefix",
                                      removed.size(), fmt::join(removed.size() > 4 ? std::vector(removed.begin(), removed.begin() + 4) : removed, ", "),
                                      strip));
    } else if (firsts.size() == 1 && top->first != "lm_head") {
      strip = top->first + ".";
    }
  }
  std::map<std::string, uint64_t> layers;
  for (auto* t : ts) {
    std::string name = !strip.empty() && t->name.starts_with(strip) ? t->name.substr(strip.size()) : t->name;
    uint64_t bits;
    if (is_float(t->dtype) && !t->overhead) {
      out.m.parameters += t->parameters ? t->parameters : t->elements;
      ++out.m.param_tensors;
      bits = 32 * (t->parameters ? t->parameters : t->elements);
    } else {
      bits = 8 * t->bytes;
      out.m.buffer_bits += bits;
    }
    out.m.total_bits += bits;
    layers[layer_of(name)] += bits;
  }
  std::vector<std::string> names;
  for (const auto& [n, b] : layers) {
    if (b > out.m.largest_bits) out.m.largest_bits = b, names.clear();
    if (b == out.m.largest_bits) names.push_back(n);
  }
  std::sort(names.begin(), names.end(), natural_less);
  out.m.largest_names = names;
  out.notes.push_back("largest layer: tensors grouped by their first `<name>.<index>` block (e.g. `layers.3`), else by "
                      "the module holding them (the model's no-split modules are not known without its code)");
  out.notes.push_back("sizes as accelerate's float32 model holds them: floating-point tensors as float32 parameters, "
                      "integer and bool tensors as buffers; non-persistent buffers (rotary tables) are not in checkpoints");
  return out;
}

}  // namespace memfit
