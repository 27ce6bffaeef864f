// Renders an inspect::Report: box tables (report/report.h's ascii_table), markdown, JSON and CSV.
#include <fmt/format.h>

#include "format/escape.h"
#include "inspect/inspect.h"
#include "report/report.h"

namespace memfit::inspect {

namespace {
using Json = nlohmann::json;

std::string grouped(uint64_t v) {
  std::string s = std::to_string(v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

std::vector<std::vector<std::string>> summary_rows(const Report& r) {
  std::vector<std::vector<std::string>> rows{
      {"format", r.format},
      {"files", grouped(r.files.size())},
      {"tensors", grouped(r.tensors)},
      {"parameters", grouped(r.parameters)},
      {"total bytes", fmt::format("{} ({})", grouped(r.total_bytes), human_bytes(r.total_bytes))},
  };
  if (r.index_total_size) rows.push_back({"index total_size", grouped(*r.index_total_size)});
  if (r.fetched_bytes) rows.push_back({"fetched", human_bytes(*r.fetched_bytes)});
  if (!r.quantization.method.empty()) {
    std::string q = r.quantization.method;
    if (r.quantization.bits) q += fmt::format(", {}-bit", r.quantization.bits);
    rows.push_back({"quantization", q});
    if (r.quantization.packed_tensors)
      rows.push_back({"packed", fmt::format("{} tensors, {} parameters", grouped(r.quantization.packed_tensors),
                                            grouped(r.quantization.packed_parameters))});
    if (r.quantization.overhead_tensors)
      rows.push_back({"quant. overhead", fmt::format("{} tensors, {}", grouped(r.quantization.overhead_tensors),
                                                     human_bytes(r.quantization.overhead_bytes))});
  }
  if (r.gguf) {
    rows.push_back({"architecture", terminal_safe(r.gguf->architecture, 200)});
    for (auto it = r.gguf->hyperparameters.begin(); it != r.gguf->hyperparameters.end(); ++it)
      rows.push_back({it.key(), it.value().dump()});
  }
  if (r.moe) {
    const auto& m = *r.moe;
    std::string e = grouped(m.experts);
    if (m.config_experts) e += fmt::format(" (config: {}{})", *m.config_experts, m.consistent ? "" : ", MISMATCH");
    if (m.experts_per_token) e += fmt::format(", {} per token", *m.experts_per_token);
    rows.push_back({"experts", e});
    rows.push_back({"routed experts", fmt::format("{} parameters, {}", grouped(m.routed.parameters),
                                                  human_bytes(m.routed.bytes))});
    if (m.shared.tensors)
      rows.push_back({"shared experts", fmt::format("{} parameters, {}", grouped(m.shared.parameters),
                                                    human_bytes(m.shared.bytes))});
    rows.push_back({"non-expert", fmt::format("{} parameters, {}", grouped(m.other.parameters),
                                              human_bytes(m.other.bytes))});
  }
  return rows;
}

std::vector<std::vector<std::string>> dtype_rows(const Report& r) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, d] : r.dtypes)
    rows.push_back({name, grouped(d.tensors), grouped(d.elements), grouped(d.bytes), human_bytes(d.bytes)});
  return rows;
}

std::vector<std::vector<std::string>> component_rows(const Report& r) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : r.components)
    rows.push_back({terminal_safe(c.name, 200), grouped(c.tensors), grouped(c.parameters), grouped(c.bytes), human_bytes(c.bytes)});
  return rows;
}

std::string md_table(const std::vector<std::string>& h, const std::vector<std::vector<std::string>>& rows) {
  std::string out = "|";
  for (const auto& x : h) out += " " + x + " |";
  out += "\n|";
  for (size_t i = 0; i < h.size(); ++i) out += i == 0 ? "---|" : "---:|";
  out += "\n";
  for (const auto& r : rows) {
    out += "|";
    for (const auto& x : r) out += " " + x + " |";
    out += "\n";
  }
  return out;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
}  // namespace

std::string human_bytes(uint64_t b) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.2f} {}", v, units[u]);
}

std::string render_table(const Report& r) {
  std::string out = ascii_table({"", "value"}, summary_rows(r), fmt::format("Checkpoint `{}`", terminal_safe(r.source, 200))) + "\n";
  out += ascii_table({"dtype", "tensors", "elements", "bytes", "size"}, dtype_rows(r), "Stored dtypes") + "\n";
  if (r.components.size() > 1)
    out += ascii_table({"component", "tensors", "parameters", "bytes", "size"}, component_rows(r), "Components") +
           "\n";
  for (const auto& n : r.notes) out += "note: " + terminal_safe(n, 2000) + "\n";
  return out;
}

std::string render_markdown(const Report& r) {
  std::string out = fmt::format("## Checkpoint `{}`\n\n", terminal_safe(r.source, 200));
  out += md_table({"", "value"}, summary_rows(r)) + "\n";
  out += md_table({"dtype", "tensors", "elements", "bytes", "size"}, dtype_rows(r));
  if (r.components.size() > 1)
    out += "\n" + md_table({"component", "tensors", "parameters", "bytes", "size"}, component_rows(r));
  for (const auto& n : r.notes) out += "\n> note: " + terminal_safe(n, 2000) + "\n";
  return out;
}

Json to_json(const Report& r) {
  Json j;
  j["source"] = r.source;
  j["format"] = r.format;
  j["files"] = Json::array();
  for (const auto& f : r.files)
    j["files"].push_back({{"path", f.path}, {"bytes", f.bytes}, {"header_bytes", f.header_bytes},
                          {"tensors", f.tensors}, {"component", f.component}});
  j["tensors"] = r.tensors;
  j["parameters"] = r.parameters;
  j["total_bytes"] = r.total_bytes;
  j["dtypes"] = Json::object();
  for (const auto& [n, d] : r.dtypes)
    j["dtypes"][n] = {{"tensors", d.tensors}, {"elements", d.elements}, {"bytes", d.bytes}};
  const auto& q = r.quantization;
  j["quantization"] = {{"method", q.method.empty() ? Json(nullptr) : Json(q.method)},
                       {"bits", q.bits ? Json(q.bits) : Json(nullptr)},
                       {"packed_tensors", q.packed_tensors},
                       {"packed_parameters", q.packed_parameters},
                       {"overhead_tensors", q.overhead_tensors},
                       {"overhead_bytes", q.overhead_bytes}};
  j["components"] = Json::array();
  for (const auto& c : r.components)
    j["components"].push_back({{"name", c.name}, {"tensors", c.tensors}, {"parameters", c.parameters},
                               {"bytes", c.bytes}});
  if (r.moe) {
    const auto& m = *r.moe;
    auto g = [](const Group& x) { return Json{{"tensors", x.tensors}, {"parameters", x.parameters}, {"bytes", x.bytes}}; };
    j["moe"] = {{"experts", m.experts},
                {"config_experts", m.config_experts ? Json(*m.config_experts) : Json(nullptr)},
                {"experts_per_token", m.experts_per_token ? Json(*m.experts_per_token) : Json(nullptr)},
                {"consistent", m.consistent},
                {"routed", g(m.routed)},
                {"shared", g(m.shared)},
                {"other", g(m.other)}};
  } else {
    j["moe"] = nullptr;
  }
  j["index"] = r.index_total_size ? Json{{"total_size", *r.index_total_size},
                                         {"matches", *r.index_total_size == r.total_bytes}}
                                  : Json(nullptr);
  if (r.gguf)
    j["gguf"] = {{"version", r.gguf->version},         {"architecture", r.gguf->architecture},
                 {"file_type", r.gguf->file_type},     {"alignment", r.gguf->alignment},
                 {"hyperparameters", r.gguf->hyperparameters}};
  else
    j["gguf"] = nullptr;
  j["notes"] = r.notes;
  if (r.fetched_bytes) j["fetched_bytes"] = *r.fetched_bytes;
  return j;
}

std::string render_json(const Report& r) { return to_json(r).dump(2) + "\n"; }

std::string render_csv(const Report& r) {
  std::string out = "dtype,tensors,elements,bytes\n";
  for (const auto& [n, d] : r.dtypes) out += fmt::format("{},{},{},{}\n", csv_cell(n), d.tensors, d.elements, d.bytes);
  out += fmt::format("total,{},{},{}\n", r.tensors, r.parameters, r.total_bytes);
  return out;
}

}  // namespace memfit::inspect
