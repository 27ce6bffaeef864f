// Reading a model's config.json: parse with file/line/column errors, and typed access with the Hub's key aliases.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace memfit {

using Json = nlohmann::json;

// Parses JSON text; `origin` names the file in the error ("config.json:3:14: ...").
Result<Json> parse_json(std::string_view text, std::string_view origin);

// Thrown by Config accessors inside an architecture builder; the registry turns it into an Error.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Read-only view of one (possibly nested) config object. Accessors throw ConfigError naming the key and model_type.
class Config {
 public:
  Config(const Json& j, std::string model_type, std::string path = "");

  bool has(std::string_view key) const;              // present and not null
  const Json& raw() const { return *j_; }
  const std::string& model_type() const { return model_type_; }

  int64_t i(std::string_view key) const;             // required integer
  int64_t i(std::string_view key, int64_t def) const;
  // First present key among aliases, e.g. {"hidden_size", "n_embd", "d_model"}.
  int64_t i_any(std::initializer_list<std::string_view> keys) const;
  std::optional<int64_t> opt_i(std::string_view key) const;
  double f(std::string_view key, double def) const;
  bool b(std::string_view key, bool def) const;
  std::string s(std::string_view key, std::string_view def) const;
  std::vector<int64_t> ints(std::string_view key) const;          // required int array
  std::vector<std::string> strings(std::string_view key) const;   // string array, empty if absent
  // Nested config object (text_config, vision_config...); its model_type is its own or the parent's.
  Config sub(std::string_view key) const;
  std::optional<Config> opt_sub(std::string_view key) const;

  [[noreturn]] void missing(std::string_view key) const;

 private:
  const Json* find(std::string_view key) const;
  const Json* j_;
  std::string model_type_;
  std::string path_;  // "text_config." for nested views, for messages
};

}  // namespace memfit
