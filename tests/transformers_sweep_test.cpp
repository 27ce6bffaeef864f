// The default-config sweep: for every model type whose default config the real accelerate could build
// (AutoModel.from_config(AutoConfig.for_model(type)), tests/data/sweep/transformers_defaults), memfit against the real
// numbers: parameters, total bytes, largest layer bytes and names, top-level module sizes. Prints the byte-exact share
// and fails when it drops below the floor, or when a type's outcome is not the one listed below (so a new skip fails,
// and a type that became exact must leave the list). MEMFIT_SWEEP_LIST=1 prints the list as it stands now.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "sweep_compare.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {

namespace fs = std::filesystem;
using namespace memfit;

// The share of ok cases memfit must answer byte-exactly (raise it as families land; never lower it).
constexpr double kExactFloor = 1.0;  // 394 of 394 on 2026-11-30 (313 in the morning)

// Every type that is not byte-exact today, with how memfit answers it: "generic" (approximate generic decoder),
// "refused" (an error), "inexact" (a builder whose numbers differ). One line per type, sorted.
const std::map<std::string, std::string> kExpected = {
#include "transformers_sweep_expected.inc"
};

TEST(TransformersSweep, DefaultConfigsMatchAccelerate) {
  fs::path dir = fs::path(MEMFIT_TEST_DATA) / "sweep" / "transformers_defaults";
  auto cases = sweep::cases(dir);
  ASSERT_GT(cases.size(), 300u);

  std::map<std::string, int> counts;
  std::map<std::string, sweep::Outcome> now;  // the types not exact, and why
  for (const auto& c : cases) {
    std::string type = c.filename().string();
    sweep::Outcome o = sweep::judge(sweep::load_json(c / "config.json"), sweep::load_json(c / "result.json"));
    ++counts[o.kind];
    if (o.kind != "exact") now[type] = o;
    auto it = kExpected.find(type);
    std::string expected = it == kExpected.end() ? "exact" : it->second;
    if (o.kind != expected)
      ADD_FAILURE() << type << ": " << o.kind << " (listed as " << expected << ")"
                    << (o.detail.empty() ? "" : ": " + o.detail)
                    << (o.kind == "exact" ? " -- now exact: remove it from transformers_sweep_expected.inc" : "");
  }
  for (const auto& [type, kind] : kExpected)
    if (!fs::exists(dir / type)) ADD_FAILURE() << type << " is listed but has no sweep case";

  double share = static_cast<double>(counts["exact"]) / cases.size();
  std::printf("[ sweep    ] transformers default configs: %d of %zu byte-exact (%.1f%%), %d inexact, %d generic, "
              "%d refused\n",
              counts["exact"], cases.size(), 100.0 * share, counts["inexact"], counts["generic"], counts["refused"]);
  EXPECT_GE(share, kExactFloor) << "the byte-exact share dropped below the floor";
  if (const char* p = std::getenv("MEMFIT_SWEEP_LIST"); p && *p == '1')
    for (const auto& [type, o] : now)
      std::printf("{\"%s\", \"%s\"},%s%s\n", type.c_str(), o.kind.c_str(), o.detail.empty() ? "" : "  // ",
                  o.detail.c_str());
}

}  // namespace
