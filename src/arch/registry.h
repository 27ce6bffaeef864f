// Maps a config to the family that builds it: transformers by `model_type`, timm by architecture name.
// Each family file registers itself with MEMFIT_FAMILY / MEMFIT_TIMM_FAMILY; adding a family is one new file.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "format/config.h"
#include "tree/module.h"
#include "core/file_scope.h"
#include "core/static_table.h"

namespace memfit {

// A transformers builder: from the config and the class to build ("LlamaModel", "LlamaForCausalLM"), the tree.
// Throws ConfigError for a missing key, UnsupportedClass for a class the family does not build.
using TransformersBuilder = Model (*)(const Config&, std::string_view cls);
// A timm builder: from the Hub-style config (architecture, num_classes, model_args...) and the architecture name.
using TimmBuilder = Model (*)(const Config&, std::string_view arch);

struct UnsupportedClass : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Up to two names (model types, class names, architecture prefixes); unused slots are empty.
struct NameList {
  std::string_view names[2];
  constexpr const std::string_view* begin() const { return names; }
  constexpr const std::string_view* end() const { return names + (names[1].empty() ? 1 : 2); }
};

// One family, registered as constant data (MEMFIT_FAMILY): nothing of it is built at start-up.
struct TransformersFamily {
  NameList model_types;                  // e.g. {"llama"}
  std::string_view prefix;               // class-name prefix, e.g. "Llama" (base class = prefix + "Model")
  TransformersBuilder build;
  std::string_view base_class = {};      // set when AutoModel builds something other than prefix + "Model"
  // Task model for a config without `architectures`: AutoModelForPreTraining's class ("" = the AutoModel class).
  std::string_view pretraining_class = {};
  bool cls_from_root = false;            // the class built is the root module's (the builder maps a class name
                                         // transformers does not know, e.g. LlavaLlamaForCausalLM, to the one it builds)
};

struct TimmFamily {
  NameList arch_prefixes;  // architecture names starting with one of these, e.g. {"resnet"}
  TimmBuilder build;
};

// What to build: accelerate's choice (AutoModel, or an auto_map AutoModelFor* class) or the task model.
enum class Target { Accelerate, TaskModel };

struct BuiltModel {
  Model model;
  std::string cls;           // class built, e.g. "BertModel"
  std::string model_type;    // transformers model_type, or the timm architecture
  bool approximate = false;  // true when memfit estimated an architecture it does not implement
  std::vector<std::string> notes;  // what memfit assumed or substituted, one sentence each (shown on stderr / JSON)
};

// A remote-code architecture (config auto_map, model_type unknown to transformers) that is known to hold exactly
// the tensors of a native one: the config is rewritten into the native family's config and built natively.
struct RemoteCodeAlias {
  std::string_view model_type;         // e.g. "internlm"
  std::string_view native_model_type;  // e.g. "llama"
  Json (*rewrite)(const Json&);
  std::string_view note;               // why the two are the same
};

// Builds a transformers model from its config.json object.
Result<BuiltModel> build_transformers(const Json& config, Target target = Target::Accelerate);
// Builds a timm model; `arch` overrides the config's architecture.
Result<BuiltModel> build_timm(const Json& config, std::string_view arch = {});
// Detects the library from a config: "timm" (architecture + pretrained_cfg) or "transformers" (model_type), or "".
std::string detect_library(const Json& config);

std::vector<std::string> supported_model_types();
std::vector<std::string> supported_timm_prefixes();
bool is_supported_model_type(std::string_view model_type);

// The registered entries, in link order (each file's in the order written).
MEMFIT_STATIC_TABLE(memfit_families, TransformersFamily)
MEMFIT_STATIC_TABLE(memfit_timm_families, TimmFamily)
MEMFIT_STATIC_TABLE(memfit_remote_code_aliases, RemoteCodeAlias)

}  // namespace memfit

#define MEMFIT_CONCAT2(a, b) a##b
#define MEMFIT_CONCAT(a, b) MEMFIT_CONCAT2(a, b)
// Registers a transformers family: MEMFIT_FAMILY({"llama"}, "Llama", builder[, base_class, pretraining_class,
// cls_from_root]); the builder is a function or a lambda without captures.
#define MEMFIT_FAMILY(...) \
  MEMFIT_STATIC_TABLE_ENTRY(memfit_families, ::memfit::TransformersFamily, MEMFIT_CONCAT(family_, __LINE__), __VA_ARGS__)
#define MEMFIT_REMOTE_CODE_ALIAS(...)                                                                     \
  MEMFIT_STATIC_TABLE_ENTRY(memfit_remote_code_aliases, ::memfit::RemoteCodeAlias, MEMFIT_CONCAT(alias_, __LINE__), \
                            __VA_ARGS__)
#define MEMFIT_TIMM_FAMILY(...)                                                                            \
  MEMFIT_STATIC_TABLE_ENTRY(memfit_timm_families, ::memfit::TimmFamily, MEMFIT_CONCAT(timm_family_, __LINE__), \
                            __VA_ARGS__)
