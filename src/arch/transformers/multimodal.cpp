// Shared pieces of the vision-language families; see multimodal.h.
#include "arch/transformers/multimodal.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/rename.h"

#include <algorithm>
#include <functional>

namespace memfit {
using namespace blocks;

Model auto_model(const Config& sub) {
  auto built = build_transformers(sub.raw());
  if (!built) {
    if (built.error().kind == ErrorKind::Unsupported) throw UnsupportedClass(built.error().message);
    throw ConfigError(built.error().message);
  }
  // A sub-model only the generic decoder could answer would make the whole model look exact: refuse it instead.
  if (built->approximate)
    throw UnsupportedClass("its " + sub.s("model_type", "?") + " sub-model (memfit has no builder for that type)");
  return std::move(built->model);
}

void prefix_ties(const ModulePtr& root, const std::string& prefix) {
  std::vector<const Module*> seen;
  std::function<void(Module&)> walk = [&](Module& m) {
    if (std::find(seen.begin(), seen.end(), &m) != seen.end()) return;
    seen.push_back(&m);
    for (auto& [_, t] : m.params)
      if (!t.tied_to.empty()) t.tied_to = prefix + t.tied_to;
    for (auto& [_, c] : m.children) walk(*c);
  };
  walk(*root);
}

Model auto_causal_lm(const Config& sub, const std::string& name) {
  // The family's class prefix is what its AutoModel class is named without "Model" (OPTModel -> OPT).
  std::string base_cls = auto_model(sub).root->cls;
  if (!base_cls.ends_with("Model")) throw UnsupportedClass("no causal LM for " + base_cls);
  Json j = sub.raw();
  j["architectures"] = Json::array({base_cls.substr(0, base_cls.size() - 5) + "ForCausalLM"});
  auto built = build_transformers(j, Target::TaskModel);
  if (!built) {
    if (built.error().kind == ErrorKind::Unsupported) throw UnsupportedClass(built.error().message);
    throw ConfigError(built.error().message);
  }
  prefix_ties(built->model.root, name + ".");
  return std::move(built->model);
}

Model conditional_generation(std::string cls, Model base, int64_t hidden, int64_t vocab, bool tied,
                             const std::string& embed) {
  auto root = make(std::move(cls));
  root->add("model", base.root);
  root->add("lm_head", heads::lm_head(hidden, vocab, tied, embed));
  base.root = root;
  return base;
}

Model vision_projector_text(std::string cls, Model vision, ModulePtr projector, Model text,
                            std::vector<std::string> own) {
  auto m = make(std::move(cls));
  m->add("vision_tower", vision.root);
  m->add("multi_modal_projector", std::move(projector));
  m->add("language_model", text.root);
  Model base{m, std::move(own)};
  merge_no_split(base.no_split, vision.no_split);
  merge_no_split(base.no_split, text.no_split);
  return base;
}

int64_t num_feature_layers(const Config& c) {
  const Json& raw = c.raw();
  auto it = raw.find("vision_feature_layer");
  if (it != raw.end() && it->is_array()) return std::max<int64_t>(1, static_cast<int64_t>(it->size()));
  return 1;
}

ModulePtr llava_projector(std::string cls, int64_t vision, int64_t text, bool bias, const std::string& act) {
  auto p = make(std::move(cls));
  p->add("linear_1", linear(vision, text, bias));
  p->add("act", leaf(act_class(act)));
  p->add("linear_2", linear(text, text, bias));
  return p;
}

CheckpointMapping llava_checkpoint_names(const std::vector<std::string>& tops, bool lm_head_inside) {
  std::vector<std::pair<std::string, std::string>> rules{{R"(^model\.language_model\.)", "language_model.model."}};
  if (lm_head_inside) rules.push_back({R"(^lm_head\.)", "language_model.lm_head."});
  for (const auto& t : tops) rules.push_back({"^model\\." + t + "(\\.|$)", t + "$1"});
  return rename_mapping(std::move(rules));
}

}  // namespace memfit
