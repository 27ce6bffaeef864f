#include "arch/timm/defs.h"

#include <memory>
#include <mutex>

#include "arch/timm/models_data.h"

#include <cmath>
#include <map>

#include <fmt/format.h>

namespace memfit::timm {

namespace {
// The builder registered for a class (the last one registered wins), or nullptr.
ClassBuilder find_builder(std::string_view cls) {
  auto table = memfit_timm_classes_table();
  for (auto it = table.rbegin(); it != table.rend(); ++it)
    for (std::string_view c : (*it)->classes)
      if (c == cls) return (*it)->build;
  return nullptr;
}

// timm's _update_default_model_kwargs: kwargs.setdefault from the pretrained cfg.
void pretrained_defaults(Json& kw, const Json& pcfg) {
  if (!pcfg.is_object()) return;
  if (auto n = pcfg.find("num_classes"); n != pcfg.end() && n->is_number_integer() && n->get<int64_t>() >= 0 &&
                                         !kw.contains("num_classes"))
    kw["num_classes"] = *n;
  if (auto g = pcfg.find("global_pool"); g != pcfg.end() && !g->is_null() && !kw.contains("global_pool"))
    kw["global_pool"] = *g;
  auto in = pcfg.find("input_size");
  if (in == pcfg.end() || !in->is_array() || in->size() != 3) return;
  if (!kw.contains("in_chans")) kw["in_chans"] = (*in)[0];
  auto fixed = pcfg.find("fixed_input_size");
  if (fixed != pcfg.end() && fixed->is_boolean() && fixed->get<bool>() && !kw.contains("img_size"))
    kw["img_size"] = Json::array({(*in)[1], (*in)[2]});
}

std::string num_text(const Json& v) { return v.dump(); }
}  // namespace

const Json& defs() {
  static const Json d = Json::parse(timm_models_json());
  return d;
}

const Json* entry(std::string_view section, std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Json>, std::less<>> parsed;  // "section/name"; nullptr: absent
  const std::string id = std::string(section) + "/" + std::string(name);
  std::lock_guard lock(mu);
  if (auto it = parsed.find(id); it != parsed.end()) return it->second.get();
  const std::string_view all = timm_models_json();
  std::unique_ptr<Json> j;
  const std::string head = "\n" + Json(std::string(section)).dump() + ": {\n";
  if (size_t s = all.find(head); !name.empty() && s != std::string_view::npos) {
    // From the header's own newline to the section's closing brace: every entry line follows a '\n'.
    const size_t from = s + head.size() - 1;
    const std::string_view body = all.substr(from, all.find("\n}", from) - from);
    const std::string key = "\n" + Json(std::string(name)).dump() + ": ";
    if (size_t at = body.find(key); at != std::string_view::npos) {
      const size_t begin = at + key.size();
      std::string_view line = body.substr(begin, body.find('\n', begin) - begin);
      if (line.ends_with(',')) line.remove_suffix(1);
      j = std::make_unique<Json>(Json::parse(line));
    }
  }
  return parsed.emplace(id, std::move(j)).first->second.get();
}

const Json* model_def(std::string_view name) { return entry("models", name); }

const Json& class_defaults(std::string_view cls) {
  static const Json none = Json::object();
  const Json* c = entry("classes", cls);
  return c && c->contains("defaults") ? (*c)["defaults"] : none;
}

Args::Args(Json kwargs, std::string arch, std::string cls)
    : kw_(std::move(kwargs)), arch_(std::move(arch)), cls_(std::move(cls)) {}

const Json& Args::raw(std::string_view k) const {
  static const Json null;
  auto it = kw_.find(std::string(k));
  return it == kw_.end() ? null : *it;
}

bool Args::has(std::string_view k) const { return !raw(k).is_null(); }

int64_t Args::i(std::string_view k) const {
  const Json& v = raw(k);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) return static_cast<int64_t>(v.get<double>());
  if (v.is_array() && v.size() == 2 && v[0] == v[1] && v[0].is_number_integer()) return v[0].get<int64_t>();
  unsupported(fmt::format("argument `{}` = {} is not an integer", k, num_text(v)));
}

double Args::f(std::string_view k) const {
  const Json& v = raw(k);
  if (v.is_number()) return v.get<double>();
  unsupported(fmt::format("argument `{}` = {} is not a number", k, num_text(v)));
}

bool Args::b(std::string_view k) const {
  const Json& v = raw(k);
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string()) return !v.get<std::string>().empty();
  if (v.is_array() || v.is_object()) return !v.empty();
  return true;
}

std::string Args::s(std::string_view k) const {
  const Json& v = raw(k);
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  unsupported(fmt::format("argument `{}` = {} is not a string", k, num_text(v)));
}

std::vector<int64_t> Args::ints(std::string_view k) const {
  const Json& v = raw(k);
  if (v.is_number_integer()) return {v.get<int64_t>()};
  std::vector<int64_t> out;
  if (v.is_array())
    for (const auto& x : v) {
      if (!x.is_number_integer()) unsupported(fmt::format("argument `{}` = {} is not a list of integers", k, num_text(v)));
      out.push_back(x.get<int64_t>());
    }
  else
    unsupported(fmt::format("argument `{}` = {} is not a list of integers", k, num_text(v)));
  return out;
}

std::string layer_name(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object()) {
    if (auto r = v.find("$ref"); r != v.end() && r->is_string()) return r->get<std::string>();
    if (auto c = v.find("$call"); c != v.end() && *c == "partial") {
      auto a = v.find("args");
      if (a != v.end() && a->is_array() && !a->empty()) return layer_name((*a)[0]);
    }
  }
  return "?";
}

std::string Args::layer(std::string_view k) const { return layer_name(raw(k)); }

const Json* Args::layer_kwarg(std::string_view k, std::string_view key) const {
  const Json& v = raw(k);
  if (!v.is_object()) return nullptr;
  auto kw = v.find("kwargs");
  if (kw == v.end() || !kw->is_object()) return nullptr;
  auto it = kw->find(std::string(key));
  return it == kw->end() ? nullptr : &*it;
}

void Args::unsupported(std::string_view why) const {
  throw UnsupportedClass(fmt::format("not supported: timm `{}` ({}): {}", arch_, cls_, why));
}

std::string missing_builder(std::string_view arch) {
  const Json* def = model_def(arch);
  if (const Json* u = def ? nullptr : entry("unresolved", arch))
    return fmt::format("not supported: timm `{}` ({}) could not be read from timm's source: {}", arch,
                       (*u)["module"].get<std::string>(), (*u)["reason"].get<std::string>());
  if (!def) return "";
  return fmt::format("not supported: timm `{}` builds {} (timm.models.{}), which memfit does not implement yet", arch,
                     (*def)["class"].get<std::string>(), (*def)["module"].get<std::string>());
}

namespace {
// timm's adapt_model_from_string: every Conv2d, BatchNorm2d / BatchNormAct2d and Linear named in `shapes` (module
// name -> pruned weight shape) is rebuilt at that width: a conv takes the listed [out, in] (grouped convs: [out, 1]),
// a norm the listed features, a Linear the listed in_features (its out_features kept).
void prune(Module& m, const std::string& name, const Json& shapes, const std::string& arch) {
  for (auto& [child, sub] : m.children) prune(*sub, name.empty() ? child : name + "." + child, shapes, arch);
  auto it = shapes.find(name);
  bool conv = m.cls == "Conv2d" || m.cls == "Conv2dSame", bn = m.cls == "BatchNorm2d" || m.cls == "BatchNormAct2d";
  if (!conv && !bn && m.cls != "Linear") return;
  if (it == shapes.end() || !it->is_array() || it->empty())
    throw UnsupportedClass(fmt::format("not supported: timm `{}`: pruned layer `{}` has no listed shape", arch, name));
  auto s = it->get<std::vector<int64_t>>();
  for (int64_t v : s)
    if (v < 1 || v > (1 << 20)) throw ConfigError(fmt::format("timm `{}`: pruned shape out of range", arch));
  for (auto& [pname, t] : m.params) {
    if (conv && pname == "weight" && s.size() >= 2 && t.shape.size() == 4) {
      t.shape[1] = t.shape[1] == 1 ? 1 : s[1];
      t.shape[0] = s[0];
    } else if (m.cls == "Linear" && pname == "weight" && s.size() == 2) {
      t.shape[1] = s[1];
    } else if (!(m.cls == "Linear") && t.shape.size() == 1) {
      t.shape[0] = s[0];
    }
  }
  if (bn)
    for (auto& [bname, t] : m.buffers)
      if (t.shape.size() == 1) t.shape[0] = s[0];
}
}  // namespace

std::optional<Model> build_from_defs(const Json& config, const std::string& arch) {
  const Json* def = model_def(arch);
  if (!def) return std::nullopt;  // unresolved or unknown: the name-based families may still know it
  std::string cls = (*def)["class"];
  ClassBuilder b = find_builder(cls);
  if (!b) return std::nullopt;
  // create_model(arch, **model_args): the register function's args, the caller's kwargs winning.
  Json kw = (*def)["args"];
  if (auto ma = config.find("model_args"); ma != config.end() && !ma->is_null()) {
    if (!ma->is_object()) throw ConfigError("timm config: `model_args` is not an object");
    const Json& known = class_defaults(cls);
    for (auto it = ma->begin(); it != ma->end(); ++it) {
      // timm would raise TypeError for a keyword the class does not take: refused, never guessed.
      if (!known.contains(it.key()) && !kw.contains(it.key()) && it.key() != "pretrained_cfg_overlay")
        throw UnsupportedClass(fmt::format("not supported: timm `{}` ({}): model_args `{}` is not an argument of {}",
                                           arch, cls, it.key(), cls));
      kw[it.key()] = it.value();
    }
  }
  Json pcfg = config.contains("pretrained_cfg") && config["pretrained_cfg"].is_object() ? config["pretrained_cfg"]
                                                                                         : (*def)["cfg"];
  if (auto n = config.find("num_classes"); n != config.end() && !n->is_null()) pcfg["num_classes"] = *n;
  if (auto o = kw.find("pretrained_cfg_overlay"); o != kw.end()) {
    if (o->is_object()) pcfg.update(*o);
    kw.erase(o);
  }
  pretrained_defaults(kw, pcfg);
  // build_model_with_cfg(pruned=True) narrows the layers from a channel list file timm ships (_pruned/*.txt), which
  // the generator copied into the entry as pruned_shapes.
  bool pruned = kw.value("pruned", false);
  if (pruned && !def->contains("pruned_shapes"))
    throw UnsupportedClass(fmt::format("not supported: timm `{}` is a pruned variant without its channel list", arch));
  kw.erase("pruned");
  Json all = class_defaults(cls);
  for (auto it = kw.begin(); it != kw.end(); ++it) all[it.key()] = it.value();
  Args a(std::move(all), arch, cls);
  if (a.has("num_classes") && (a.i("num_classes") < 0 || a.i("num_classes") > (1 << 24)))
    throw ConfigError(fmt::format("timm config: num_classes = {} is out of range", a.i("num_classes")));
  Model m = b(a);
  if (pruned) prune(*m.root, "", (*def)["pruned_shapes"], arch);
  return m;
}

}  // namespace memfit::timm
