#include "arch/rename.h"

#include <memory>

namespace memfit {

CheckpointMapping rename_mapping(std::vector<std::pair<std::string, std::string>> rules) {
  auto compiled = std::make_shared<std::vector<RenameRule>>();
  for (auto& [p, r] : rules) compiled->push_back({std::regex(p), r});
  return [compiled](const std::string& name, const Tensor& t) {
    for (const auto& rule : *compiled) {
      if (std::regex_search(name, rule.pattern))
        return std::vector<CheckpointTensor>{{std::regex_replace(name, rule.pattern, rule.replacement), t.shape, t.dtype}};
    }
    return std::vector<CheckpointTensor>{{name, t.shape, t.dtype}};
  };
}

}  // namespace memfit
