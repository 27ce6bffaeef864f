#include "format/config_defaults.h"

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "format/transformers_configs_data.h"

namespace memfit {

namespace {

// The embedded file split as tools/gen_transformers_configs.py lays it out: a header line (source, model_types,
// missing_classes), then one class per line. A run reads one model type's class and parses one class line; the
// whole header is parsed only to list every model type.
struct ConfigData {
  std::string_view head;         // the header line, `{"missing_classes":[...],"model_types":{...},...`
  std::string_view class_lines;  // from the newline before the first class's line
};

const ConfigData& config_data() {
  static const ConfigData d = [] {
    const std::string_view all = transformers_configs_json();
    constexpr std::string_view kSplit = ",\n\"classes\":{";
    const size_t at = all.find(kSplit);
    if (at == std::string_view::npos) throw std::logic_error("data/transformers_configs.json: not one class per line");
    return ConfigData{all.substr(0, at), all.substr(at + kSplit.size())};
  }();
  return d;
}

// The header's model_types object as text: `{"type":"Class",...}` (its values are plain strings).
std::string_view model_types_text() {
  constexpr std::string_view kKey = "\"model_types\":{";
  const std::string_view head = config_data().head;
  const size_t at = head.find(kKey);
  if (at == std::string_view::npos) throw std::logic_error("data/transformers_configs.json: no model_types");
  const size_t begin = at + kKey.size() - 1;
  return head.substr(begin, head.find('}', begin) + 1 - begin);
}

}  // namespace

const Json* config_class_data(std::string_view cls) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Json>, std::less<>> parsed;  // nullptr: no such class
  std::lock_guard lock(mu);
  if (auto it = parsed.find(cls); it != parsed.end()) return it->second.get();
  const std::string_view lines = config_data().class_lines;
  const std::string key = "\n" + Json(std::string(cls)).dump() + ":";
  std::unique_ptr<Json> j;
  if (size_t at = lines.find(key); !cls.empty() && at != std::string_view::npos) {
    const size_t begin = at + key.size();
    std::string_view line = lines.substr(begin, lines.find('\n', begin) - begin);
    if (line.ends_with(',')) line.remove_suffix(1);
    j = std::make_unique<Json>(Json::parse(line));
  }
  return parsed.emplace(std::string(cls), std::move(j)).first->second.get();
}

std::string config_class_for(std::string_view model_type) {
  // `"type":"Class"` after `{` or `,`: the key as JSON writes it, then its string value.
  const std::string_view types = model_types_text();
  const std::string key = Json(std::string(model_type)).dump() + ":\"";
  for (size_t at = types.find(key); at != std::string_view::npos; at = types.find(key, at + 1)) {
    if (types[at - 1] != '{' && types[at - 1] != ',') continue;
    const size_t begin = at + key.size();
    return std::string(types.substr(begin, types.find('"', begin) - begin));
  }
  return "";
}

std::vector<std::string> transformers_model_types() {
  std::vector<std::string> out;
  const Json types = Json::parse(model_types_text());
  for (const auto& [k, v] : types.items()) out.push_back(k);
  return out;
}

namespace {

bool truthy(const Json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0.0;
  if (v.is_string() || v.is_array() || v.is_object()) return !v.empty();
  return true;
}

// Evaluates one generated expression against the config; null when it cannot (a key missing or not a number).
Json eval(const Json& e, const Json& cfg) {
  if (e.contains("lit")) return e["lit"];
  if (e.contains("key")) {
    auto it = cfg.find(e["key"].get<std::string>());
    return it == cfg.end() ? Json() : *it;
  }
  if (e.contains("list")) {
    Json out = Json::array();
    for (const auto& x : e["list"]) out.push_back(eval(x, cfg));
    return out;
  }
  const std::string op = e.value("op", "");
  std::vector<Json> a;
  for (const auto& x : e["args"]) a.push_back(eval(x, cfg));
  if (op == "if_none") return a.size() == 3 ? (a[0].is_null() ? a[1] : a[2]) : Json();
  if (op == "or") {
    for (const auto& v : a)
      if (truthy(v)) return v;
    return a.empty() ? Json() : a.back();
  }
  for (const auto& v : a)
    if (!v.is_number()) return Json();
  bool ints = std::all_of(a.begin(), a.end(), [](const Json& v) { return v.is_number_integer(); });
  if (a.size() == 1) {
    double x = a[0].get<double>();
    if (op == "int") return static_cast<int64_t>(std::trunc(x));
    if (op == "ceil") return static_cast<int64_t>(std::ceil(x));
    if (op == "min" || op == "max") return a[0];
    return Json();
  }
  if (a.size() != 2) return Json();
  if (ints) {
    int64_t x = a[0].get<int64_t>(), y = a[1].get<int64_t>();
    if (op == "+") return x + y;
    if (op == "-") return x - y;
    if (op == "*") return x * y;
    if (op == "min") return std::min(x, y);
    if (op == "max") return std::max(x, y);
    if (op == "//") {
      if (y == 0) return Json();
      int64_t q = x / y;
      return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;  // Python floors
    }
  }
  double x = a[0].get<double>(), y = a[1].get<double>();
  if (op == "+") return x + y;
  if (op == "-") return x - y;
  if (op == "*") return x * y;
  if (op == "min") return std::min(x, y);
  if (op == "max") return std::max(x, y);
  if (op == "/") return y == 0 ? Json() : Json(x / y);
  if (op == "//") return y == 0 ? Json() : Json(std::floor(x / y));
  return Json();
}

void fill(Json& j, const Json& cls, int depth);

// A sub-config (text_config...): the class it is built with, from its own model_type where transformers reads it.
const Json* sub_class(const Json& spec, const Json& obj) {
  std::string name;
  if (spec.contains("class") && spec["class"].is_string()) name = spec["class"];
  if (spec.value("auto", false) || name.empty()) {
    auto mt = obj.find("model_type");
    if (mt != obj.end() && mt->is_string()) name = config_class_for(mt->get<std::string>());
  }
  return config_class_data(name);
}

void fill_sub_configs(Json& j, const Json& cls, int depth) {
  for (const auto& [key, spec] : cls["sub_configs"].items()) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (spec.contains("omitted")) continue;  // transformers leaves it None
      Json obj = Json::object();
      if (spec.contains("model_type")) obj["model_type"] = spec["model_type"];
      const Json overrides = spec.value("overrides", Json::object());  // a named copy: items() must not dangle
      for (const auto& [k, v] : overrides.items()) obj[k] = v;
      // Overrides that pass one of the parent's own keys on (PaliGemma's `vocab_size=self.vocab_size`).
      if (auto fs = spec.find("from_self"); fs != spec.end() && fs->is_object())
        for (const auto& [k, from] : fs->items())
          if (auto pv = j.find(from.get<std::string>()); pv != j.end()) obj[k] = *pv;
      const Json* sc = sub_class(spec, obj);
      if (!sc) continue;
      // Built from the parent's **kwargs (Qwen2-VL's flat legacy configs): the parent's keys that are not its own
      // fields but are the sub-config class's go to the sub-config.
      if (spec.value("from_parent", false))
        for (const auto& [k, v] : j.items())
          if (!cls["defaults"].contains(k) && ((*sc)["defaults"].contains(k) || (*sc)["computed"].contains(k)) &&
              !obj.contains(k))
            obj[k] = v;
      if (!obj.contains("model_type") && !(*sc)["model_type"].get<std::string>().empty())
        obj["model_type"] = (*sc)["model_type"];
      fill(obj, *sc, depth + 1);
      j[key] = std::move(obj);
    } else if (it->is_object()) {
      if (!it->contains("model_type") && spec.contains("dict_model_type")) (*it)["model_type"] = spec["dict_model_type"];
      const Json* sc = sub_class(spec, *it);
      if (!sc) continue;
      if (!it->contains("model_type") && !(*sc)["model_type"].get<std::string>().empty())
        (*it)["model_type"] = (*sc)["model_type"];
      fill(*it, *sc, depth + 1);
    }
  }
}

void fill(Json& j, const Json& cls, int depth) {
  if (depth > 6 || !j.is_object()) return;
  // An alias given in the file sets its target (transformers applies it after the class's own fields).
  for (const auto& [alias, target] : cls["attribute_map"].items())
    if (auto it = j.find(alias); it != j.end() && !it->is_null()) j[target.get<std::string>()] = *it;
  for (const auto& [k, v] : cls["defaults"].items())
    if (!j.contains(k)) j[k] = v;
  for (int pass = 0; pass < 2; ++pass)  // a computed default may use another
    for (const auto& [k, c] : cls["computed"].items())
      if (auto it = j.find(k); it == j.end() || it->is_null())
        if (Json v = eval(c["expr"], j); !v.is_null()) j[k] = std::move(v);
  fill_sub_configs(j, cls, depth);
  for (const auto& [alias, target] : cls["attribute_map"].items())
    if (auto it = j.find(target.get<std::string>()); it != j.end()) j[alias] = *it;
}

}  // namespace

Json with_class_defaults(const Json& config) {
  if (!config.is_object()) return config;
  auto mt = config.find("model_type");
  if (mt == config.end() || !mt->is_string()) return config;
  const Json* cls = config_class_data(config_class_for(mt->get<std::string>()));
  if (!cls) return config;
  Json out = config;
  fill(out, *cls, 0);
  return out;
}

}  // namespace memfit
