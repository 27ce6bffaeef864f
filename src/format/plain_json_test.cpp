#include "format/plain_json.h"
#include "format/json_event_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

std::string nlohmann_log(const std::string& text) {
  JsonEventLog r;
  EXPECT_TRUE(nlohmann::json::sax_parse(text, &r)) << text;
  return r.log;
}

TEST(PlainJson, PlainDocumentsGiveNlohmannsEventStream) {
  for (std::string text : {
           R"({})", R"([])", R"( { "a" : 1 } )", R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})",
           R"({"__metadata__":{"format":"pt"},"b":{"shape":[],"data_offsets":[24,28],"dtype":"I32"}})",
           "{\n\t\"x\": [ -5, 0, 9999999999999999999, [[]], {\"\":\"\"} ]\r\n}", R"("just a string")", R"(42)",
           R"([-999999999999999999])"}) {
    JsonEventLog fast;
    ASSERT_TRUE(scan_plain_json(text, fast)) << text;
    EXPECT_EQ(fast.log, nlohmann_log(text)) << text;
  }
  JsonEventLog r;
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
    JsonEventLog r;
    EXPECT_FALSE(scan_plain_json(text, r, 8)) << text;
  }
}

}  // namespace
}  // namespace memfit
