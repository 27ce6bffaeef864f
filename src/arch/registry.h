// Maps a config to the family that builds it: transformers by `model_type`, timm by architecture name.
// Each family file registers itself with MEMFIT_FAMILY / MEMFIT_TIMM_FAMILY; adding a family is one new file.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "format/config.h"
#include "tree/module.h"
#include "core/file_scope.h"

namespace memfit {

// A transformers builder: from the config and the class to build ("LlamaModel", "LlamaForCausalLM"), the tree.
// Throws ConfigError for a missing key, UnsupportedClass for a class the family does not build.
using TransformersBuilder = std::function<Model(const Config&, std::string_view cls)>;
// A timm builder: from the Hub-style config (architecture, num_classes, model_args...) and the architecture name.
using TimmBuilder = std::function<Model(const Config&, std::string_view arch)>;

struct UnsupportedClass : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TransformersFamily {
  std::vector<std::string> model_types;  // e.g. {"llama"}
  std::string prefix;                    // class-name prefix, e.g. "Llama" (base class = prefix + "Model")
  TransformersBuilder build;
  std::string base_class = "";           // set when AutoModel builds something other than prefix + "Model"
  // Task model for a config without `architectures`: AutoModelForPreTraining's class ("" = the AutoModel class).
  std::string pretraining_class = "";
  bool cls_from_root = false;            // the class built is the root module's (the builder maps a class name
                                         // transformers does not know, e.g. LlavaLlamaForCausalLM, to the one it builds)
};

struct TimmFamily {
  std::vector<std::string> arch_prefixes;  // architecture names starting with one of these, e.g. {"resnet"}
  TimmBuilder build;
};

bool register_family(TransformersFamily f);
bool register_timm_family(TimmFamily f);

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
  std::string model_type;         // e.g. "internlm"
  std::string native_model_type;  // e.g. "llama"
  std::function<Json(const Json&)> rewrite;
  std::string note;               // why the two are the same
};
bool register_remote_code_alias(RemoteCodeAlias a);

// Builds a transformers model from its config.json object.
Result<BuiltModel> build_transformers(const Json& config, Target target = Target::Accelerate);
// Builds a timm model; `arch` overrides the config's architecture.
Result<BuiltModel> build_timm(const Json& config, std::string_view arch = {});
// Detects the library from a config: "timm" (architecture + pretrained_cfg) or "transformers" (model_type), or "".
std::string detect_library(const Json& config);

std::vector<std::string> supported_model_types();
std::vector<std::string> supported_timm_prefixes();
bool is_supported_model_type(std::string_view model_type);

}  // namespace memfit

#define MEMFIT_CONCAT2(a, b) a##b
#define MEMFIT_CONCAT(a, b) MEMFIT_CONCAT2(a, b)
// Registers a transformers family at static-initialisation time.
#define MEMFIT_FAMILY(...) \
  static const bool MEMFIT_CONCAT(memfit_family_, __LINE__) = ::memfit::register_family(::memfit::TransformersFamily{__VA_ARGS__})
#define MEMFIT_REMOTE_CODE_ALIAS(...)                                                               \
  static const bool MEMFIT_CONCAT(memfit_alias_, __LINE__) =                                         \
      ::memfit::register_remote_code_alias(::memfit::RemoteCodeAlias{__VA_ARGS__})
#define MEMFIT_TIMM_FAMILY(...) \
  static const bool MEMFIT_CONCAT(memfit_timm_family_, __LINE__) = ::memfit::register_timm_family(::memfit::TimmFamily{__VA_ARGS__})
