// TimmWrapper: transformers' modeling_timm_wrapper.py, a timm model (built by memfit's timm families from the
// config's `architecture` and `model_args`) under `timm_model`. AutoModel asks timm for no classifier
// (num_classes=0); TimmWrapperForImageClassification for num_labels classes; model_args.features_only (EdgeTAM's
// backbone) keeps the modules up to the feature stages. gemma3n_vision is the same wrapper around Gemma 3n's
// MobileNetV5 encoder.
#include "arch/timm/mobilenetv5.h"
#include "arch/transformers/auto_class.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

ModulePtr timm_model(const Config& c, int64_t num_classes) {
  Json tc = c.raw();
  tc["num_classes"] = num_classes;
  if (tc.contains("model_args") && tc["model_args"].is_null()) tc.erase("model_args");
  bool features = false;
  if (auto it = tc.find("model_args"); it != tc.end() && it->is_object() && it->contains("features_only")) {
    features = (*it)["features_only"].is_boolean() && (*it)["features_only"].get<bool>();
    it->erase("features_only");
    it->erase("out_indices");
    if (features) tc["num_classes"] = 0;
  }
  std::string arch = c.s("architecture", "resnet50");
  if (arch.starts_with("mobilenetv5_") && arch.ends_with("_enc"))
    if (ModulePtr enc = mobilenetv5_encoder(arch)) return enc;
  auto built = build_timm(tc, arch);
  if (!built) heads::unsupported("TimmWrapper around timm `" + arch + "`: " + built.error().message);
  return features ? timm_features_only(built->model.root, arch) : built->model.root;
}

Model build(const Config& c, std::string_view cls) {
  if (cls == "TimmWrapperModel") {
    auto m = make("TimmWrapperModel");
    m->add("timm_model", timm_model(c, 0));
    return {m, {"TimmWrapperModel"}};
  }
  if (cls == "TimmWrapperForImageClassification") {
    auto m = make(std::string(cls));
    m->add("timm_model", timm_model(c, heads::num_labels(c)));
    return {m, {"TimmWrapperModel"}};
  }
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"timm_wrapper"}, "TimmWrapper", build);
MEMFIT_FAMILY({"gemma3n_vision"}, "Gemma3nVision", build, "TimmWrapperModel");

}  // namespace
}  // namespace memfit
