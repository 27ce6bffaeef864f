// Config integer accessors on out-of-range numbers (found by fuzz/config_fuzz.cpp): a clear ConfigError, never
// undefined behaviour.
#include <gtest/gtest.h>

#include "format/config.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

TEST(ConfigRange, HugeFloatsAndUnsignedAreErrors) {
  auto j = parse_json(R"({"a": 4.09e56, "b": 1e300, "c": 18446744073709551615, "d": 4096.0, "e": -2.5})", "c.json");
  ASSERT_TRUE(j);
  Config c(*j, "llama");
  EXPECT_THROW(c.i("a"), ConfigError);
  EXPECT_THROW(c.i("b"), ConfigError);
  EXPECT_THROW(c.i("c"), ConfigError);
  EXPECT_EQ(c.i("d"), 4096);
  EXPECT_THROW(c.i("e"), ConfigError);
}

TEST(ConfigRange, NumberOverflowIsBadInputNotACrash) {
  auto j = parse_json(R"({"hidden_size": 4096777777777777E7777777777777777777})", "config.json");
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().kind, ErrorKind::BadInput);
  EXPECT_NE(j.error().message.find("number overflow"), std::string::npos) << j.error().message;
}

}  // namespace
}  // namespace memfit
