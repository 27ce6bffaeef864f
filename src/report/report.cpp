#include "report/report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <numeric>

#include "report/pyfmt.h"

namespace memfit {

namespace {
std::string repeat_str(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

const std::vector<std::string> kHeaders{"dtype", "Largest Layer", "Total Size", "Training using Adam"};
}  // namespace

std::string ascii_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows,
                        const std::string& title) {
  const std::string bar = "─";
  std::vector<size_t> w(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) {
    w[i] = py_len(headers[i]);
    for (const auto& r : rows) w[i] = std::max(w[i], py_len(r[i]));
  }
  auto make_row = [&](const std::string& l, const std::string& mid, const std::string& r, size_t extra) {
    std::string s = l;
    for (size_t i = 0; i < w.size(); ++i) {
      if (i) s += mid;
      s += repeat_str(bar, w[i]);
    }
    return s + repeat_str(bar, extra) + r;
  };
  const size_t title_len = py_len(title);
  const size_t sum = std::accumulate(w.begin(), w.end(), size_t{0});
  size_t diff = 0;
  if (title_len > sum) {
    // accelerate widens the last column by |len(title) - len(separator)| twice; when that difference is 0 its title
    // line comes out 2 characters wider than the borders, so here the column grows by those 2 instead.
    size_t sep_len = sum + w.size() + 1;
    diff = title_len > sep_len ? title_len - sep_len : sep_len - title_len;
    if (diff == 0) {
      w.back() += 2;
    } else {
      w.back() += diff;
    }
  }
  std::string top = make_row("┌", "─", "┐", diff);
  std::string sep = make_row("├", "┼", "┤", diff);
  std::string head_sep = make_row("├", "┬", "┤", diff);
  size_t sep_width = py_len(sep) - 2;
  w.back() += diff;
  std::string out = top + "\n│" + py_center(title, sep_width) + "│\n" + head_sep + "\n";
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s = "│";
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) s += "│";
      s += py_center(cells[i], w[i]);
    }
    return s + "│\n";
  };
  out += line(headers) + sep + "\n";
  for (const auto& r : rows) out += line(r);
  out += "└";
  for (size_t i = 0; i < w.size(); ++i) {
    if (i) out += "┴";
    out += repeat_str(bar, w[i]);
  }
  return out + "┘";
}

std::vector<std::string> row_strings(const Row& r) {
  return {r.dtype, convert_bytes(r.largest.value, r.largest.py_int), convert_bytes(r.total.value, r.total.py_int),
          convert_bytes(r.training.value, r.training.py_int)};
}

namespace {
// The quantization-aware section (only when Estimate::quantized is set): parts of the size as loaded.
std::vector<std::vector<std::string>> quantized_rows(const QuantizedSize& q) {
  auto b = [](uint64_t x) { return convert_bytes(static_cast<double>(x), true); };
  return {{"quantized weights", fmt::format("{}", q.quantized_params), b(q.weight_bytes)},
          {"scales / zeros", "", b(q.overhead_bytes)},
          {"unquantized", fmt::format("{}", q.unquantized_params), b(q.unquantized_bytes)},
          {"buffers", "", b(q.buffer_bytes)},
          {"total", fmt::format("{}", q.quantized_params + q.unquantized_params), b(q.total_bytes)},
          {"bits / quantized weight", "", fmt::format("{:.4f}", q.bits_per_quantized_weight)}};
}
std::string quantized_title(const Estimate& e) {
  return fmt::format("Loaded as {} ({})", e.quantized->scheme, e.quantized_origin);
}
}  // namespace

std::string render_table(const Estimate& e) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : e.rows) rows.push_back(row_strings(r));
  std::string out = ascii_table(kHeaders, rows,
                                fmt::format("Memory Usage for loading `{}`{}", e.model,
                                            e.approximate ? " (approximate)" : "")) +
                    "\n";
  if (e.quantized)
    out += ascii_table({"part", "parameters", "size"}, quantized_rows(*e.quantized), quantized_title(e)) + "\n";
  return out;
}

std::string render_markdown(const Estimate& e) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : e.rows) rows.push_back(row_strings(r));
  std::vector<size_t> w;
  for (size_t i = 0; i < kHeaders.size(); ++i) {
    size_t m = py_len(kHeaders[i]);
    for (const auto& r : rows) m = std::max(m, py_len(r[i]));
    w.push_back(m);
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s = "|";
    for (size_t i = 0; i < cells.size(); ++i) s += " " + cells[i] + std::string(w[i] - py_len(cells[i]), ' ') + " |";
    return s + "\n";
  };
  std::string out =
      fmt::format("Memory Usage for loading `{}`{}:\n\n", e.model, e.approximate ? " (approximate)" : "");
  out += line(kHeaders);
  out += "|";
  for (size_t x : w) out += std::string(x + 2, '-') + "|";
  out += "\n";
  for (const auto& r : rows) out += line(r);
  if (e.quantized) {
    out += fmt::format("\n{}:\n\n| part | parameters | size |\n|---|---:|---:|\n", quantized_title(e));
    for (const auto& r : quantized_rows(*e.quantized)) out += fmt::format("| {} | {} | {} |\n", r[0], r[1], r[2]);
  }
  return out;
}

namespace {
nlohmann::ordered_json number(double v) {
  if (v == static_cast<double>(static_cast<uint64_t>(v)) && v < 9.0e15) return static_cast<uint64_t>(v);
  return v;
}
}  // namespace

std::string render_json(const Estimate& e) {
  nlohmann::ordered_json j;
  j["model"] = e.model;
  j["library"] = e.library;
  j["source"] = e.source;
  j["architecture"] = e.architecture;
  j["parameters"] = e.m.parameters;
  j["buffers_bytes"] = number(static_cast<double>(e.m.buffer_bits) / 8.0);
  j["total_size_bytes"] = number(static_cast<double>(e.m.total_bits) / 8.0);
  j["largest_layer"] = {{"bytes", number(static_cast<double>(e.m.largest_bits) / 8.0)},
                        {"names", e.m.largest_names}};
  auto rows = nlohmann::ordered_json::array();
  for (const auto& r : e.rows) {
    rows.push_back({{"dtype", r.dtype},
                    {"largest_layer_bytes", number(r.largest.value)},
                    {"total_size_bytes", number(r.total.value)},
                    {"training_bytes", number(r.training.value)}});
  }
  j["rows"] = rows;
  if (!e.breakdown.empty()) {
    auto b = nlohmann::ordered_json::array();
    for (const auto& x : e.breakdown)
      b.push_back({{"name", x.name}, {"class", x.cls}, {"count", x.count}, {"depth", x.depth},
                   {"bytes_each", number(static_cast<double>(x.bits) / 8.0)}});
    j["breakdown"] = b;
  }
  if (e.approximate) j["approximate"] = true;
  if (!e.notes.empty()) j["assumptions"] = e.notes;
  if (e.quantized) {
    const auto& q = *e.quantized;
    j["quantized"] = {{"scheme", q.scheme},
                      {"origin", e.quantized_origin},
                      {"quantized_parameters", q.quantized_params},
                      {"unquantized_parameters", q.unquantized_params},
                      {"quantized_tensors", q.quantized_tensors},
                      {"weight_bytes", q.weight_bytes},
                      {"overhead_bytes", q.overhead_bytes},
                      {"unquantized_bytes", q.unquantized_bytes},
                      {"buffer_bytes", q.buffer_bytes},
                      {"total_bytes", q.total_bytes},
                      {"bits_per_quantized_weight", q.bits_per_quantized_weight}};
  }
  return j.dump(2) + "\n";
}

std::string render_breakdown(const Estimate& e) {
  size_t w = 0;
  for (const auto& x : e.breakdown) w = std::max(w, py_len(x.name) + 2 * static_cast<size_t>(x.depth));
  std::string out = "\nBreakdown (float32, ties counted once):\n";
  for (const auto& x : e.breakdown) {
    std::string name = std::string(2 * static_cast<size_t>(x.depth), ' ') + x.name;
    std::string count = x.count > 1 ? fmt::format("{} x ", x.count) : "";
    out += fmt::format("  {:<{}}  {:>12}  {}{}\n", name, w, convert_bytes(static_cast<double>(x.bits) / 8.0, true),
                       count, x.cls);
  }
  return out;
}

std::string render_csv(const Estimate& e) {
  std::string out = "dtype,largest_layer_bytes,total_size_bytes,training_bytes\n";
  for (const auto& r : e.rows)
    out += fmt::format("{},{},{},{}\n", r.dtype, exact_number(r.largest.value), exact_number(r.total.value),
                       exact_number(r.training.value));
  return out;
}

}  // namespace memfit
