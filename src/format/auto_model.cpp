#include "format/auto_model.h"

#include <nlohmann/json.hpp>

#include "format/auto_model_data.h"

namespace memfit {

std::string auto_model_class(std::string_view model_type) {
  // One `"type":"Class"` entry a line: a text search for the key at a line's start, no JSON parse.
  const std::string_view text = transformers_auto_model_json();
  const std::string key = "\n" + nlohmann::json(std::string(model_type)).dump() + ":\"";
  const size_t at = text.find(key);
  if (at == std::string_view::npos) return "";
  const size_t begin = at + key.size();
  return std::string(text.substr(begin, text.find('"', begin) - begin));
}

}  // namespace memfit
