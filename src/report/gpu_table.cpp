// `memfit gpus` output: the GPU table in four formats.
#include "report/gpu_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace memfit {

namespace {

std::string gib(uint64_t bytes) { return fmt::format("{:.2f}", static_cast<double>(bytes) / (1ull << 30)); }
std::string num(double v) { return v > 0 ? fmt::format("{:g}", v) : "?"; }

// The human columns: name, vendor, family, segment, GiB, usable GiB, how, GB/s, bf16 TFLOPS, bf16, fp8, year, source.
std::vector<std::string> human_row(const Gpu& g) {
  return {g.name, g.vendor, g.family, g.segment, gib(g.memory_bytes), gib(g.usable_bytes),
          g.usable_measured ? "measured" : "estimate", num(g.bandwidth_gbs), num(g.bf16_tflops),
          g.bf16 ? "yes" : "no", g.fp8 ? "yes" : "no", std::to_string(g.year), g.source};
}

const std::vector<std::string> kHeaders{"name", "vendor",     "family", "segment", "memory GiB", "usable GiB", "usable",
                                        "GB/s", "bf16 TFLOPS", "bf16", "fp8",     "year",       "source"};

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

nlohmann::ordered_json row_json(const Gpu& g) {
  return {{"vendor", g.vendor},         {"name", g.name},
          {"aliases", g.aliases},       {"family", g.family},
          {"segment", g.segment},       {"memory_bytes", g.memory_bytes},
          {"usable_bytes", g.usable_bytes}, {"usable_measured", g.usable_measured},
          {"usable_source", g.usable_source}, {"bandwidth_gbs", g.bandwidth_gbs},
          {"bf16_tflops", g.bf16_tflops}, {"hf_tflops", g.hf_tflops},
          {"bf16", g.bf16},             {"fp8", g.fp8},
          {"unified", g.unified},       {"year", g.year},
          {"source", g.source}};
}

}  // namespace

std::string render_gpus_table(const std::vector<const Gpu*>& rows) {
  std::vector<std::vector<std::string>> cells{kHeaders};
  for (const auto* g : rows) cells.push_back(human_row(*g));
  std::vector<size_t> w(kHeaders.size(), 0);
  for (const auto& r : cells)
    for (size_t i = 0; i + 1 < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
  std::string out;
  for (const auto& r : cells) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      bool right = i >= 4 && i <= 11 && i != 6 && i != 9 && i != 10;  // numbers right-aligned
      if (i + 1 == r.size()) line += r[i];
      else line += (right ? fmt::format("{:>{}}", r[i], w[i]) : fmt::format("{:<{}}", r[i], w[i])) + "  ";
    }
    out += line + "\n";
  }
  return out + fmt::format("{} GPUs. usable: memory the runtime reports (CUDA/ROCm total, Apple GPU working set); "
                           "`measured` rows come from logs, `estimate` rows from the rule in the README.\n",
                           rows.size());
}

std::string render_gpus_markdown(const std::vector<const Gpu*>& rows) {
  std::string out = "|";
  for (const auto& h : kHeaders) out += " " + h + " |";
  out += "\n|";
  for (size_t i = 0; i < kHeaders.size(); ++i) out += i >= 4 && i <= 8 && i != 6 ? "---:|" : "---|";
  out += "\n";
  for (const auto* g : rows) {
    out += "|";
    for (auto c : human_row(*g)) {
      std::string esc;
      for (char ch : c) esc += ch == '|' ? std::string("\\|") : std::string(1, ch);
      out += " " + esc + " |";
    }
    out += "\n";
  }
  return out;
}

std::string render_gpus_json(const std::vector<const Gpu*>& rows) {
  nlohmann::ordered_json j = {{"gpus", nlohmann::ordered_json::array()}};
  for (const auto* g : rows) j["gpus"].push_back(row_json(*g));
  return j.dump(2) + "\n";
}

std::string render_gpus_csv(const std::vector<const Gpu*>& rows) {
  std::string out =
      "vendor,name,aliases,family,segment,memory_bytes,usable_bytes,usable_measured,usable_source,bandwidth_gbs,"
      "bf16_tflops,hf_tflops,bf16,fp8,unified,year,source\n";
  for (const auto* g : rows) {
    std::string aliases;
    for (const auto& a : g->aliases) aliases += (aliases.empty() ? "" : "|") + a;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(g->vendor),
                       csv_field(g->name), csv_field(aliases), csv_field(g->family), csv_field(g->segment),
                       g->memory_bytes, g->usable_bytes, g->usable_measured, csv_field(g->usable_source),
                       g->bandwidth_gbs, g->bf16_tflops, g->hf_tflops, g->bf16, g->fp8, g->unified, g->year,
                       csv_field(g->source));
  }
  return out;
}

}  // namespace memfit
