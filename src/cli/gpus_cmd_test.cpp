// `memfit gpus` end to end: the formats, the vendor filter and bad flags.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "hardware/gpus.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing_util::run_cli;

size_t count(std::string_view vendor) {
  size_t n = 0;
  for (const auto& g : gpu_table()) n += g.vendor == vendor;
  return n;
}

TEST(GpusCommand, JsonHasEveryRowOfTheVendor) {
  auto r = run_cli("gpus --vendor Apple --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto j = nlohmann::ordered_json::parse(r.out);
  ASSERT_EQ(j["gpus"].size(), count("Apple"));
  const auto& first = j["gpus"][0];
  EXPECT_EQ(first["name"], "M1-8GB");
  EXPECT_EQ(first["memory_bytes"], 8589934592ull);
  EXPECT_EQ(first["usable_bytes"], 5461ull << 20);
  EXPECT_EQ(first["usable_measured"], false);
  EXPECT_EQ(first["bandwidth_gbs"], 68.25);
  std::vector<std::string> keys;
  for (const auto& [k, v] : first.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"vendor", "name", "aliases", "family", "segment", "memory_bytes",
                                            "usable_bytes", "usable_measured", "usable_source", "bandwidth_gbs",
                                            "bf16_tflops", "hf_tflops", "bf16", "fp8", "unified", "year", "source"}));
}

TEST(GpusCommand, TableCsvAndMarkdown) {
  auto t = run_cli("gpus");
  ASSERT_EQ(t.code, 0);
  EXPECT_EQ(std::count(t.out.begin(), t.out.end(), '\n'), static_cast<long>(gpu_table().size()) + 2);
  EXPECT_TRUE(t.out.starts_with("name "));
  auto h100 = t.out.find("\nH100-80GB ");
  ASSERT_NE(h100, std::string::npos);
  std::string line = t.out.substr(h100 + 1, t.out.find('\n', h100 + 1) - h100 - 1);
  EXPECT_NE(line.find(" 80.00       79.18  measured    3350          989  yes   yes  2022  NVIDIA H100 datasheet"),
            std::string::npos)
      << line;
  auto c = run_cli("gpus --vendor nvidia --format csv");
  ASSERT_EQ(c.code, 0);
  EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), static_cast<long>(count("NVIDIA")) + 1);
  EXPECT_NE(c.out.find("\nNVIDIA,RTX-4090,4090|RTX-4090-24GB,Ada,consumer,25769803776,25249710080,true,"),
            std::string::npos);
  auto m = run_cli("gpus --vendor intel --format markdown");
  ASSERT_EQ(m.code, 0);
  EXPECT_TRUE(m.out.starts_with("| name | vendor | family |"));
  EXPECT_EQ(std::count(m.out.begin(), m.out.end(), '\n'), static_cast<long>(count("Intel")) + 2);
}

TEST(GpusCommand, BadFlags) {
  auto v = run_cli("gpus --vendor qualcomm");
  EXPECT_EQ(v.code, 2);
  EXPECT_EQ(v.err, "memfit: error: --vendor: `qualcomm` is not one of nvidia, amd, intel, apple\n");
  auto f = run_cli("gpus --format xml");
  EXPECT_EQ(f.code, 2);
  EXPECT_EQ(f.err, "memfit: error: --format: `xml` is not one of table, markdown, json, csv\n");
}

}  // namespace
}  // namespace memfit
