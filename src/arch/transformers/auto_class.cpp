// auto_class: a sub-config built as one named class through the registry (see auto_class.h).
#include "arch/transformers/auto_class.h"

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

}  // namespace memfit
