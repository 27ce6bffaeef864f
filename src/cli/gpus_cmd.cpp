// `memfit gpus`: the GPU table (data/gpus.json) with usable memory and sources, filtered by vendor.
#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "hardware/gpus.h"
#include "report/gpu_table.h"

namespace memfit::cli {

namespace {
struct Args {
  std::string vendor;
  std::string format = "table";
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

int run(const Args& a) {
  if (auto e = check_choice("--format", a.format, {"table", "markdown", "json", "csv"})) return report_error(*e);
  if (!a.vendor.empty())
    if (auto e = check_choice("--vendor", lower(a.vendor), {"nvidia", "amd", "intel", "apple"}))
      return report_error(*e);
  std::vector<const Gpu*> rows;
  for (const auto& g : gpu_table())
    if (a.vendor.empty() || lower(g.vendor) == lower(a.vendor)) rows.push_back(&g);
  std::string out = a.format == "table"      ? render_gpus_table(rows)
                    : a.format == "markdown" ? render_gpus_markdown(rows)
                    : a.format == "json"     ? render_gpus_json(rows)
                                             : render_gpus_csv(rows);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
}  // namespace

Command add_gpus(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* sub = app.add_subcommand("gpus", "List the GPU table: memory, memory usable by the runtime, bandwidth, sources");
  sub->add_option("--vendor", a->vendor, "Only this vendor: nvidia, amd, intel or apple");
  sub->add_option("--format", a->format, "table (default), markdown, json or csv");
  return {sub, [a] { return run(*a); }};
}

}  // namespace memfit::cli
