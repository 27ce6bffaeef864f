// Building one named class of a sub-config through the registry: what load_backbone / AutoBackbone and a model that
// names its tower's class (CLIPTextModelWithProjection) build, where AutoModel would pick another class.
#pragma once
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// Class `cls` (e.g. "Dinov2Backbone") of the family `sub`'s model_type names; throws UnsupportedClass or ConfigError.
Model auto_class(const Config& sub, const std::string& cls);
// timm's features_only network (FeatureListNet) of model `m`: the modules up to its feature stages (`stages`, or
// Swin's `layers`), those after them (final norm, head) dropped; throws UnsupportedClass for another layout.
ModulePtr timm_features_only(ModulePtr m, const std::string& arch);

}  // namespace memfit
