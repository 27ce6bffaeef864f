#include "format/plain_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

// Records every SAX event as text, so that the fast scanner's stream can be compared with nlohmann's.
struct Recorder {
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

std::string nlohmann_log(const std::string& text) {
  Recorder r;
  EXPECT_TRUE(nlohmann::json::sax_parse(text, &r)) << text;
  return r.log;
}

TEST(PlainJson, PlainDocumentsGiveNlohmannsEventStream) {
  for (std::string text : {
           R"({})", R"([])", R"( { "a" : 1 } )", R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})",
           R"({"__metadata__":{"format":"pt"},"b":{"shape":[],"data_offsets":[24,28],"dtype":"I32"}})",
           "{\n\t\"x\": [ -5, 0, 9999999999999999999, [[]], {\"\":\"\"} ]\r\n}", R"("just a string")", R"(42)",
           R"([-999999999999999999])"}) {
    Recorder fast;
    ASSERT_TRUE(scan_plain_json(text, fast)) << text;
    EXPECT_EQ(fast.log, nlohmann_log(text)) << text;
  }
  Recorder r;
  ASSERT_TRUE(scan_plain_json(R"({"a":[1,-2],"b":"c"})", r));
  EXPECT_EQ(r.log, "{ k'a' [ u1 i-2 ] k'b' s'c' } ");
}

TEST(PlainJson, GivesUpOnAnythingElse) {
  for (std::string text : {
           // valid JSON outside the subset: the caller's full parser reads these
           R"({"a\"b":1})", R"({"a":"\u00e9"})", "{\"\xc3\xa9\":1}", R"({"a":1.5})", R"({"a":1e3})", R"({"a":true})",
           R"({"a":null})", R"({"a":-0})", R"([18446744073709551616])", R"([12345678901234567890])",
           R"([-1234567890123456789])",
           // not JSON at all
           "", " ", "{", "}", R"({"a"})", R"({"a":})", R"({"a":1,})", R"([1,])", R"([1 2])", R"({"a":1}x)",
           R"({"a":1}{})", R"({1:2})", R"({"a":01})", R"({"a":-})", R"({"a":"b)", "{\"a\":\"\x01\"}", R"([}])",
           R"({]})", "[[[[[[[[[[1]]]]]]]]]]"}) {
    Recorder r;
    EXPECT_FALSE(scan_plain_json(text, r, 8)) << text;
  }
}

}  // namespace
}  // namespace memfit
