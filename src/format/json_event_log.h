// A SAX handler that records every event as text ("{ k'a' u1 }"), so that scan_plain_json's event stream can be
// compared with nlohmann's: used by the PlainJson tests and the plain-JSON fuzz target.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace memfit {

struct JsonEventLog {
  using Json = nlohmann::json;
  std::string log;
  bool null() { return add("null"); }
  bool boolean(bool v) { return add(v ? "true" : "false"); }
  bool number_integer(Json::number_integer_t v) { return add("i" + std::to_string(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return add("u" + std::to_string(v)); }
  bool number_float(Json::number_float_t, const Json::string_t& s) { return add("f" + s); }
  bool string(Json::string_t& v) { return add("s'" + v + "'"); }
  bool binary(Json::binary_t&) { return add("bin"); }
  bool start_object(std::size_t) { return add("{"); }
  bool end_object() { return add("}"); }
  bool start_array(std::size_t) { return add("["); }
  bool end_array() { return add("]"); }
  bool key(Json::string_t& k) { return add("k'" + k + "'"); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
  bool add(const std::string& e) {
    log += e + " ";
    return true;
  }
};

}  // namespace memfit
