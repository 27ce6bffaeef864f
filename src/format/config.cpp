#include "format/config.h"
#include "format/json_error.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

namespace memfit {

Error json_syntax_error(std::string_view text, std::string_view origin, size_t byte, std::string what) {
  // Turn the byte offset into line:column (1-based).
  size_t pos = std::min<size_t>(byte == 0 ? 0 : byte - 1, text.size());
  size_t line = 1, col = 1;
  for (size_t k = 0; k < pos; ++k) {
    if (text[k] == '\n') { ++line; col = 1; } else { ++col; }
  }
  if (auto p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
  return Error{ErrorKind::BadInput, fmt::format("{}:{}:{}: malformed JSON: {}", origin, line, col, what)};
}

Result<Json> parse_json(std::string_view text, std::string_view origin) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return std::unexpected(json_syntax_error(text, origin, e.byte, e.what()));
  } catch (const Json::exception& e) {
    // e.g. out_of_range 406 for a number like 4e7777 (found by the config fuzzer): bad input, not a crash.
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return fail(ErrorKind::BadInput, fmt::format("{}: malformed JSON: {}", origin, what));
  }
}

Config::Config(const Json& j, std::string model_type, std::string path)
    : j_(&j), model_type_(std::move(model_type)), path_(std::move(path)) {}

const Json* Config::find(std::string_view key) const {
  if (!j_->is_object()) return nullptr;
  auto it = j_->find(key);
  if (it == j_->end() || it->is_null()) return nullptr;
  return &*it;
}

bool Config::has(std::string_view key) const { return find(key) != nullptr; }

void Config::missing(std::string_view key) const {
  throw ConfigError(fmt::format("config key `{}{}` is missing or invalid (model_type `{}`)", path_, key, model_type_));
}

std::optional<int64_t> Config::opt_i(std::string_view key) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) missing(key);
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    // Range-check before converting: a float outside int64 (1e300, inf, nan) is undefined behaviour to cast.
    double d = v->get<double>();
    if (d >= -9.2e18 && d <= 9.2e18 && d == std::trunc(d)) return static_cast<int64_t>(d);
  }
  missing(key);
}

int64_t Config::i(std::string_view key) const {
  auto v = opt_i(key);
  if (!v) missing(key);
  return *v;
}

int64_t Config::i(std::string_view key, int64_t def) const { return opt_i(key).value_or(def); }

int64_t Config::i_any(std::initializer_list<std::string_view> keys) const {
  for (auto k : keys)
    if (auto v = opt_i(k)) return *v;
  missing(*keys.begin());
}

double Config::f(std::string_view key, double def) const {
  const Json* v = find(key);
  if (!v) return def;
  if (!v->is_number()) missing(key);
  return v->get<double>();
}

bool Config::b(std::string_view key, bool def) const {
  const Json* v = find(key);
  if (!v) return def;
  if (!v->is_boolean()) missing(key);
  return v->get<bool>();
}

std::string Config::s(std::string_view key, std::string_view def) const {
  const Json* v = find(key);
  if (!v) return std::string(def);
  if (!v->is_string()) missing(key);
  return v->get<std::string>();
}

std::vector<int64_t> Config::ints(std::string_view key) const {
  const Json* v = find(key);
  if (!v || !v->is_array()) missing(key);
  std::vector<int64_t> out;
  for (const auto& e : *v) {
    if (!e.is_number_integer()) missing(key);
    out.push_back(e.get<int64_t>());
  }
  return out;
}

std::vector<std::string> Config::strings(std::string_view key) const {
  std::vector<std::string> out;
  const Json* v = find(key);
  if (!v) return out;
  if (!v->is_array()) missing(key);
  for (const auto& e : *v) {
    if (!e.is_string()) missing(key);
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::optional<Config> Config::opt_sub(std::string_view key) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) missing(key);
  std::string mt = model_type_;
  if (auto it = v->find("model_type"); it != v->end() && it->is_string()) mt = it->get<std::string>();
  return Config(*v, mt, path_ + std::string(key) + ".");
}

Config Config::sub(std::string_view key) const {
  auto c = opt_sub(key);
  if (!c) missing(key);
  return *c;
}

}  // namespace memfit
