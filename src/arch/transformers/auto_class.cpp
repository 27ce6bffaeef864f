// auto_class: a sub-config built as one named class through the registry (see auto_class.h).
#include "arch/transformers/auto_class.h"

#include <algorithm>

#include "arch/registry.h"

namespace memfit {

Model auto_class(const Config& sub, const std::string& cls) {
  Json j = sub.raw();
  j["architectures"] = Json::array({cls});
  auto built = build_transformers(j, Target::TaskModel);
  if (!built) {
    if (built.error().kind == ErrorKind::Unsupported) throw UnsupportedClass(built.error().message);
    throw ConfigError(built.error().message);
  }
  return std::move(built->model);
}

ModulePtr timm_features_only(ModulePtr m, const std::string& arch) {
  auto it = std::find_if(m->children.begin(), m->children.end(),
                         [](const auto& ch) { return ch.first == "stages" || ch.first == "layers"; });
  if (it == m->children.end()) throw UnsupportedClass("timm `" + arch + "` with features_only");
  m->children.erase(it + 1, m->children.end());
  m->cls = "FeatureListNet";
  return m;
}

}  // namespace memfit
