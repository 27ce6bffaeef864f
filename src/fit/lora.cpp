#include "fit/lora.h"

#include <algorithm>
#include <functional>
#include <regex>

#include <nlohmann/json.hpp>

#include "fit/peft_targets_data.h"

namespace memfit {

namespace {

const nlohmann::ordered_json& peft_targets() {
  static const nlohmann::ordered_json j = nlohmann::ordered_json::parse(peft_lora_targets_json())["targets"];
  return j;
}

// Every module with its full dotted name, parents before children (named_modules order).
void for_each_module(const Module& m, const std::string& name,
                     const std::function<void(const std::string&, const Module&)>& f) {
  f(name, m);
  for (const auto& [child_name, child] : m.children)
    if (child) for_each_module(*child, name.empty() ? child_name : name + "." + child_name, f);
}

const Tensor* own_param(const Module& m, std::string_view name) {
  for (const auto& [n, t] : m.params)
    if (n == name) return &t;
  return nullptr;
}

// in/out widths of a layer LoRA can adapt; false for other module classes.
bool adaptable(const Module& m, int64_t& in, int64_t& out) {
  const Tensor* w = own_param(m, "weight");
  if (!w || w->shape.size() != 2) return false;
  if (m.cls == "Linear") {
    out = w->shape[0], in = w->shape[1];
  } else if (m.cls == "Conv1D" || m.cls.ends_with("Embedding")) {
    in = w->shape[0], out = w->shape[1];  // Conv1D stores [in, out]; an embedding [num, dim]
  } else {
    return false;
  }
  return true;
}

bool suffix_match(const std::string& name, const std::string& target) {
  return name == target || (name.size() > target.size() && name.ends_with(target) &&
                            name[name.size() - target.size() - 1] == '.');
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::optional<LoraDefaultTargets> peft_default_lora_targets(std::string_view model_type) {
  const auto& j = peft_targets();
  auto it = j.find(std::string(model_type));
  if (it == j.end()) return std::nullopt;
  LoraDefaultTargets t;
  if (it->is_string()) t.regex = it->get<std::string>();
  else t.names = it->get<std::vector<std::string>>();
  return t;
}

std::vector<std::string> peft_lora_model_types() {
  std::vector<std::string> out;
  for (const auto& [k, v] : peft_targets().items()) out.push_back(k);
  return out;
}

Result<LoraPlacement> place_lora(const Model& m, std::string_view model_type, const std::vector<std::string>& targets,
                                 int64_t rank, int64_t vocab_size) {
  if (!m.root) return fail(ErrorKind::Internal, "no model tree to place LoRA adapters on");
  LoraPlacement p;
  bool all_linear = targets.size() == 1 && targets[0] == "all-linear";
  bool user_names = !targets.empty() && !all_linear;
  LoraDefaultTargets want;
  if (user_names) {
    want.names = targets;
    p.targets_used = joined(targets);
  } else if (all_linear) {
    p.targets_used = "all-linear (every Linear/Conv1D except the output embedding)";
  } else {
    auto d = peft_default_lora_targets(model_type);
    if (!d)
      return fail(ErrorKind::Usage, "PEFT has no default LoRA target modules for model_type '" +
                                        std::string(model_type) + "': give --lora-targets (names or all-linear)");
    want = *d;
    p.targets_used = (want.regex.empty() ? joined(want.names) : "regex " + want.regex) +
                     " (PEFT's default for " + std::string(model_type) + ")";
  }
  std::optional<std::regex> re;
  if (!want.regex.empty()) re.emplace(want.regex);
  std::vector<bool> used(want.names.size(), false);
  std::string unsupported;
  for_each_module(*m.root, "", [&](const std::string& name, const Module& mod) {
    if (name.empty()) return;
    int64_t in = 0, out = 0;
    bool can = adaptable(mod, in, out);
    bool hit = false;
    if (all_linear) {
      hit = can && mod.cls != "Embedding" && !mod.cls.ends_with("Embedding") && out != vocab_size;
    } else if (re) {
      hit = std::regex_match(name, *re);
    } else {
      for (size_t i = 0; i < want.names.size(); ++i)
        if (suffix_match(name, want.names[i])) hit = used[i] = true;
    }
    if (!hit) return;
    if (!can) {
      if (unsupported.empty()) unsupported = name + " (" + mod.cls + ")";
      return;
    }
    uint64_t n = static_cast<uint64_t>(rank) * static_cast<uint64_t>(in + out);
    p.modules.push_back({name, mod.cls, in, out, n});
    p.params += n;
  });
  if (!unsupported.empty())
    return fail(ErrorKind::Usage, "LoRA target matches " + unsupported +
                                      ", a module PEFT cannot adapt (targets must name Linear, Conv1D or Embedding layers)");
  if (user_names) {
    std::vector<std::string> missing;
    for (size_t i = 0; i < want.names.size(); ++i)
      if (!used[i]) missing.push_back(want.names[i]);
    if (!missing.empty())
      return fail(ErrorKind::Usage, "LoRA target module(s) not found in the model: " + joined(missing));
  }
  if (p.modules.empty())
    return fail(ErrorKind::Usage, "LoRA targets " + p.targets_used + " match no module of the model");
  return p;
}

}  // namespace memfit
