// Checkpoint renamings as transformers 5 reverts them on save: ordered regex rules over full tensor names.
#pragma once
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "tree/module.h"

namespace memfit {

struct RenameRule {
  std::regex pattern;
  std::string replacement;  // std::regex_replace format ($1, $2...)
};

// Applies the first matching rule to each name (shapes unchanged).
CheckpointMapping rename_mapping(std::vector<std::pair<std::string, std::string>> rules);

}  // namespace memfit
