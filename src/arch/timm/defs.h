// timm's registered models as data (data/timm/models.json, written by tools/timm_defs.py from timm's source): for
// each name the class timm builds and its keyword arguments, merged with the config the way timm.create_model does.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arch/registry.h"

namespace memfit::timm {

// The generated data: {"classes": {cls: {module, defaults}}, "models": {name: {module, class, args, tag, cfg}},
// "unresolved": {name: {module, reason}}}.
const Json& defs();
// One entry of a section ("classes", "models", "unresolved") of the generated data, or nullptr. The file holds one
// entry per line; an entry is parsed alone the first time it is asked for (thread-safe), so a run pays only for
// the model and class it builds. defs() parses the whole file (for tests and tools that list everything).
const Json* entry(std::string_view section, std::string_view name);
// One registered model's entry, or nullptr.
const Json* model_def(std::string_view name);
// A class's __init__ defaults (an empty object for a class the data does not know).
const Json& class_defaults(std::string_view cls);

// The keyword arguments a timm class receives for one config: the class's __init__ defaults, overridden by the
// registered model's args, overridden by the config's model_args; then num_classes / global_pool / in_chans /
// img_size (fixed_input_size only) from the pretrained cfg where neither set them (timm's setdefault).
class Args {
 public:
  Args(Json kwargs, std::string arch, std::string cls);
  bool has(std::string_view k) const;  // present and not null
  int64_t i(std::string_view k) const;
  double f(std::string_view k) const;
  bool b(std::string_view k) const;  // Python truthiness (None / 0 / "" are false)
  std::string s(std::string_view k) const;
  // An int or a list of ints (img_size=224 or (224, 224)).
  std::vector<int64_t> ints(std::string_view k) const;
  // The name of the class / layer a kwarg names: {"$ref": X} or partial(X, ...) -> X; a string as is; "" for None.
  std::string layer(std::string_view k) const;
  // partial(X, key=value)'s keyword, or nullptr.
  const Json* layer_kwarg(std::string_view k, std::string_view key) const;
  const Json& raw(std::string_view k) const;
  const Json& all() const { return kw_; }
  const std::string& arch() const { return arch_; }
  const std::string& cls() const { return cls_; }
  // Throws UnsupportedClass("not supported: <arch>: <why>").
  [[noreturn]] void unsupported(std::string_view why) const;

 private:
  Json kw_;
  std::string arch_, cls_;
};

// Same helpers for a nested argument object (a dataclass cfg such as byobnet's ByoModelCfg).
std::string layer_name(const Json& v);

// A builder for one timm class from its arguments, registered as constant data (MEMFIT_TIMM_CLASS({"ResNet"},
// build)); a function or a lambda without captures.
using ClassBuilder = Model (*)(const Args&);
struct TimmClass {
  NameList classes;
  ClassBuilder build;
};
MEMFIT_STATIC_TABLE(memfit_timm_classes, TimmClass)

// Builds `arch` from the generated definitions: nullopt when the class has no builder here (the caller may try the
// name-based families), throws UnsupportedClass for names timm's source could not be read for.
std::optional<Model> build_from_defs(const Json& config, const std::string& arch);

}  // namespace memfit::timm

#define MEMFIT_TIMM_CLASS(...)                                                                             \
  MEMFIT_STATIC_TABLE_ENTRY(memfit_timm_classes, ::memfit::timm::TimmClass, MEMFIT_CONCAT(timm_class_, __LINE__), \
                            __VA_ARGS__)
