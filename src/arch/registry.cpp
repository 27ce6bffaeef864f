#include "arch/registry.h"
#include "arch/timm/defs.h"
#include "core/edit_distance.h"
#include "format/auto_model.h"

#include "format/config_defaults.h"
#include "tree/measure.h"

#include <algorithm>
#include <csetjmp>
#include <csignal>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace memfit {

namespace {
// Last line of defence against a hostile config: a family that divides by a config value of 0 raises SIGFPE; turn
// that into an error instead of a crash. (Jumping out skips destructors of the half-built tree: a bounded leak on an
// error path, never a crash.)
thread_local sigjmp_buf* g_fpe_jump = nullptr;
void on_fpe(int) {
  if (g_fpe_jump) siglongjmp(*g_fpe_jump, 1);
  std::signal(SIGFPE, SIG_DFL);
  std::raise(SIGFPE);
}

template <class F>
auto guarded(F&& build) -> decltype(build()) {
  sigjmp_buf jump;
  sigjmp_buf* saved = g_fpe_jump;
  struct sigaction sa {}, old{};
  sa.sa_handler = on_fpe;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGFPE, &sa, &old);
  if (sigsetjmp(jump, 1) != 0) {
    g_fpe_jump = saved;
    sigaction(SIGFPE, &old, nullptr);
    return fail(ErrorKind::BadInput, "the config has a zero where a divisor is needed (e.g. a head count or size)");
  }
  g_fpe_jump = &jump;
  auto r = build();
  g_fpe_jump = saved;
  sigaction(SIGFPE, &old, nullptr);
  return r;
}

// A config with negative or astronomically large dimensions gives tensors whose sizes are meaningless; refuse them.
std::optional<Error> check_shapes(const Model& m) {
  std::optional<Error> err;
  for_each_tensor(*m.root, [&](const TensorVisit& v) {
    if (err) return;
    unsigned __int128 n = 1;
    for (int64_t d : v.tensor.shape) {
      if (d < 0) {
        err = Error{ErrorKind::BadInput, fmt::format("the config gives `{}` a negative dimension", v.name)};
        return;
      }
      n *= static_cast<unsigned __int128>(d);
      if (n > (static_cast<unsigned __int128>(1) << 56)) {
        err = Error{ErrorKind::BadInput, fmt::format("the config gives `{}` an implausibly large shape", v.name)};
        return;
      }
    }
  }, true);
  return err;
}

const TransformersFamily* find_family(std::string_view model_type) {
  for (const TransformersFamily* f : memfit_families_table())
    for (std::string_view t : f->model_types)
      if (t == model_type) return f;
  return nullptr;
}

// The class accelerate builds: an auto_map "AutoModelFor*" key maps to the family's head, else AutoModel's.
std::string accelerate_class(const Json& config, const TransformersFamily& fam) {
  std::string base = fam.base_class.empty() ? std::string(fam.prefix) + "Model" : std::string(fam.base_class);
  auto am = config.find("auto_map");
  if (am == config.end() || !am->is_object()) return base;
  for (auto it = am->begin(); it != am->end(); ++it) {
    if (it.key().starts_with("AutoModelFor")) return std::string(fam.prefix) + "For" + it.key().substr(12);
  }
  return base;
}
}  // namespace

Result<BuiltModel> build_generic_decoder(const Json& config, const std::string& model_type, Target target);

std::string detect_library(const Json& config) {
  if (!config.is_object()) return "";
  // transformers' TimmWrapper configs (model_type timm_wrapper, gemma3n_vision) carry timm's keys too.
  if (auto mt = config.find("model_type"); mt != config.end() && mt->is_string() &&
                                            is_supported_model_type(mt->get<std::string>()))
    return "transformers";
  if (config.contains("architecture") && (config.contains("pretrained_cfg") || config.contains("num_classes")))
    return "timm";
  if (config.contains("model_type")) return "transformers";
  return "";
}

std::vector<std::string> supported_model_types() {
  std::vector<std::string> out;
  for (const TransformersFamily* f : memfit_families_table())
    for (std::string_view t : f->model_types) out.emplace_back(t);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> supported_timm_prefixes() {
  std::vector<std::string> out;
  for (const TimmFamily* f : memfit_timm_families_table())
    for (std::string_view p : f->arch_prefixes) out.emplace_back(p);
  std::sort(out.begin(), out.end());
  return out;
}

bool is_supported_model_type(std::string_view model_type) { return find_family(model_type) != nullptr; }

Result<BuiltModel> build_transformers_unguarded(const Json& config, Target target);
Result<BuiltModel> build_timm_unguarded(const Json& config, std::string_view arch_override);

Result<BuiltModel> build_transformers(const Json& config, Target target) {
  return guarded([&] { return build_transformers_unguarded(config, target); });
}

Result<BuiltModel> build_timm(const Json& config, std::string_view arch_override) {
  return guarded([&] { return build_timm_unguarded(config, arch_override); });
}

Result<BuiltModel> build_transformers_unguarded(const Json& given, Target target) {
  if (!given.is_object()) return fail(ErrorKind::BadInput, "config.json is not a JSON object");
  // Keys the file omits take the config class's defaults, as AutoConfig.from_pretrained fills them.
  const Json config = with_class_defaults(given);
  auto mt = config.find("model_type");
  if (mt == config.end() || !mt->is_string())
    return fail(ErrorKind::BadInput, "config.json has no `model_type`; pass --library_name timm if it is a timm model");
  std::string model_type = mt->get<std::string>();
  // A type transformers knows but AutoModel has no class for (a sub-config such as siglip_text_model) is what
  // accelerate cannot estimate either: AutoModel.from_config raises. Remote code (auto_map) builds its own class.
  if (target == Target::Accelerate && !config.contains("auto_map") && auto_model_class(model_type).empty() &&
      !config_class_for(model_type).empty())
    return fail(ErrorKind::Unsupported,
                fmt::format("model_type `{}` has no AutoModel class in transformers (AutoModel.from_config raises "
                            "\"Unrecognized configuration class\"), so accelerate cannot estimate it either (a part of "
                            "a larger model, or a model with task classes only); --task-model builds the class its "
                            "`architectures` names",
                            model_type));
  const TransformersFamily* fam = find_family(model_type);
  if (!fam) {
    for (const RemoteCodeAlias* alias : memfit_remote_code_aliases_table()) {
      const RemoteCodeAlias& a = *alias;
      if (a.model_type != model_type) continue;
      Json native;
      try {
        native = a.rewrite(config);
      } catch (const ConfigError& e) {
        return fail(ErrorKind::BadInput, e.what());
      }
      native["model_type"] = std::string(a.native_model_type);
      // The remote class named in `architectures` does not exist natively: the task model is the auto_map's
      // AutoModelFor* class, mapped to the native family (what accelerate would build with the remote code).
      native.erase("architectures");
      auto b = build_transformers_unguarded(native, Target::Accelerate);
      if (b) {
        b->notes.push_back(fmt::format("`{}` is remote code memfit does not run; estimated as the native `{}`, which "
                                       "holds the same tensors ({})",
                                       model_type, a.native_model_type, a.note));
      }
      return b;
    }
    auto g = build_generic_decoder(config, model_type, target);
    if (g || g.error().kind != ErrorKind::Unsupported) return g;
    // The closest names, not all ~500: the suggestion compares at most 64 characters of a type read from a file.
    const std::vector<std::string> types = supported_model_types();
    return fail(ErrorKind::Unsupported,
                fmt::format("model_type `{}` is not supported yet (closest: {}; `memfit list --model-types` lists the "
                            "{} it builds). {}",
                            model_type, fmt::join(closest_words(std::string_view(model_type).substr(0, 64), types), ", "),
                            types.size(), g.error().message));
  }
  std::string cls = accelerate_class(config, *fam);
  if (target == Target::TaskModel) {
    auto arch = config.find("architectures");
    if (arch != config.end() && arch->is_array() && !arch->empty() && (*arch)[0].is_string())
      cls = (*arch)[0].get<std::string>();
    else if (!fam->pretraining_class.empty())
      cls = std::string(fam->pretraining_class);
  }
  try {
    Config c(config, model_type);
    BuiltModel b{fam->build(c, cls), cls, model_type};
    if (auto e = check_shapes(b.model)) return std::unexpected(*e);
    if (fam->cls_from_root && b.model.root) b.cls = b.model.root->cls;
    return b;
  } catch (const ConfigError& e) {
    return fail(ErrorKind::BadInput, e.what());
  } catch (const UnsupportedClass& e) {
    return fail(ErrorKind::Unsupported, e.what());
  } catch (const std::exception& e) {
    return fail(ErrorKind::BadInput, fmt::format("the config could not be built: {}", e.what()));
  }
}

namespace timm {
// Why a registered name has no builder yet ("" for a name timm does not register); timm/defs.cpp.
std::string missing_builder(std::string_view arch);
}  // namespace timm

Result<BuiltModel> build_timm_unguarded(const Json& config, std::string_view arch_override) {
  if (!config.is_object()) return fail(ErrorKind::BadInput, "config.json is not a JSON object");
  std::string arch(arch_override);
  if (arch.empty()) {
    auto a = config.find("architecture");
    if (a == config.end() || !a->is_string()) return fail(ErrorKind::BadInput, "timm config has no `architecture`");
    arch = a->get<std::string>();
  }
  if (auto dot = arch.find('.'); dot != std::string::npos) arch = arch.substr(0, dot);
  if (arch.starts_with("timm/")) arch = arch.substr(5);
  try {
    // First the generated definitions (data/timm/models.json) where the class has a builder, else the name-based
    // families.
    std::optional<Model> m = timm::build_from_defs(config, arch);
    if (!m) {
      const TimmFamily* best = nullptr;
      size_t best_len = 0;
      for (const TimmFamily* f : memfit_timm_families_table())
        for (std::string_view p : f->arch_prefixes)
          if (arch.starts_with(p) && p.size() > best_len) best = f, best_len = p.size();
      std::string why = timm::missing_builder(arch);
      if (!best) {
        if (why.empty()) why = fmt::format("not supported: `{}` is not a model timm 1.0.28 registers", arch);
        return fail(ErrorKind::Unsupported, why);
      }
      try {
        m = best->build(Config(config, arch), arch);
      } catch (const UnsupportedClass& e) {
        throw UnsupportedClass(why.empty() ? e.what() : why);
      }
    }
    m->library = "timm";
    if (auto e = check_shapes(*m)) return std::unexpected(*e);
    std::string cls = m->root->cls;
    return BuiltModel{std::move(*m), cls, arch};
  } catch (const ConfigError& e) {
    return fail(ErrorKind::BadInput, e.what());
  } catch (const UnsupportedClass& e) {
    return fail(ErrorKind::Unsupported, e.what());
  } catch (const std::exception& e) {
    return fail(ErrorKind::BadInput, fmt::format("the config could not be built: {}", e.what()));
  }
}

}  // namespace memfit
