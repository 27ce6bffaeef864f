// The GPU table, read once from the embedded data/gpus.json, and the --gpu / --gpu-memory parsers.
#include "hardware/gpus.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/edit_distance.h"
#include "hardware/gpus_data.h"

namespace memfit {

namespace {

constexpr size_t kMaxSpec = 200;
constexpr int kMaxCount = 4096;

// User text in an error message: printable ASCII kept, everything else as \xNN.
std::string escaped(std::string_view s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '\\') {
      o += "\\\\";
    } else if (c < 0x20 || c >= 0x7f) {
      o += fmt::format("\\x{:02x}", c);
    } else {
      o += static_cast<char>(c);
    }
  }
  return o;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct Index {
  std::unordered_map<std::string, size_t> by_key;              // normalised spelling -> row
  std::vector<std::pair<std::string, size_t>> spellings;       // every normalised spelling, table order
};

const Index& index() {
  static const Index idx = [] {
    Index i;
    const auto& t = gpu_table();
    for (size_t r = 0; r < t.size(); ++r) {
      auto add = [&](const std::string& s) {
        std::string k = normalize_gpu_name(s);
        i.by_key.emplace(k, r);  // the generator guarantees no two rows share a key
        i.spellings.emplace_back(std::move(k), r);
      };
      add(t[r].name);
      for (const auto& a : t[r].aliases) add(a);
    }
    return i;
  }();
  return idx;
}

Error unknown_gpu(std::string_view name) {
  std::string list;
  for (const auto& c : closest_gpu_names(name)) list += (list.empty() ? "" : ", ") + c;
  return Error{ErrorKind::NotFound, fmt::format("unknown GPU `{}` (closest: {}; `memfit gpus` lists all)",
                                                escaped(name), list)};
}

}  // namespace

const std::vector<Gpu>& gpu_table() {
  static const std::vector<Gpu> table = [] {
    std::vector<Gpu> t;
    auto doc = nlohmann::json::parse(gpus_json());  // built from the repository's own file: parses or the build fails
    for (const auto& j : doc.at("gpus")) {
      Gpu g;
      g.vendor = j.at("vendor");
      g.name = j.at("name");
      g.aliases = j.at("aliases").get<std::vector<std::string>>();
      g.family = j.at("family");
      g.segment = j.at("segment");
      g.memory_bytes = j.at("memory_bytes");
      g.usable_bytes = j.at("usable_bytes");
      g.bandwidth_gbs = j.at("bandwidth_gbs");
      g.bf16_tflops = j.at("bf16_tflops");
      g.bf16 = j.at("bf16");
      g.fp8 = j.at("fp8");
      g.unified = j.at("unified");
      g.year = j.at("year");
      g.source = j.at("source");
      g.usable_measured = j.at("usable_measured");
      g.usable_source = j.at("usable_source");
      g.hf_tflops = j.at("hf_tflops");
      t.push_back(std::move(g));
    }
    return t;
  }();
  return table;
}

std::string normalize_gpu_name(std::string_view name) {
  static const char* const kDrop[] = {"nvidia", "geforce", "tesla", "amd", "instinct", "apple", "intel"};
  std::string out, tok;
  auto flush = [&] {
    if (tok.empty()) return;
    if (std::find(std::begin(kDrop), std::end(kDrop), tok) == std::end(kDrop)) {
      for (std::string_view unit : {"gib", "gb", "g"}) {  // "80gb" -> "80", "a10g" -> "a10"
        if (tok.size() > unit.size() && tok.ends_with(unit) &&
            std::isdigit(static_cast<unsigned char>(tok[tok.size() - unit.size() - 1]))) {
          tok.resize(tok.size() - unit.size());
          break;
        }
      }
      out += tok;
    }
    tok.clear();
  };
  for (unsigned char c : name) {
    if (std::isalnum(c) && c < 0x80) {
      tok += static_cast<char>(std::tolower(c));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

const Gpu* find_gpu(std::string_view name) {
  const auto& idx = index();
  auto it = idx.by_key.find(normalize_gpu_name(name));
  return it == idx.by_key.end() ? nullptr : &gpu_table()[it->second];
}

std::vector<std::string> closest_gpu_names(std::string_view name, size_t n) {
  std::string key = normalize_gpu_name(name.substr(0, kMaxSpec));
  const auto& idx = index();
  // Rank: fewest edits, then spellings that begin with what was typed ("h10" -> H100 before T10), then table order.
  std::vector<std::pair<size_t, bool>> best(gpu_table().size(), {SIZE_MAX, true});
  for (const auto& [spelling, row] : idx.spellings)
    best[row] = std::min(best[row], std::pair{edit_distance(key, spelling), !spelling.starts_with(key)});
  std::vector<size_t> rows(best.size());
  for (size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) { return best[a] < best[b]; });
  std::vector<std::string> out;
  for (size_t i = 0; i < rows.size() && out.size() < n; ++i) out.push_back(gpu_table()[rows[i]].name);
  return out;
}

Result<GpuChoice> parse_gpu(std::string_view spec) {
  if (spec.size() > kMaxSpec)
    return fail(ErrorKind::Usage, fmt::format("--gpu: a GPU name of {} characters (at most {})", spec.size(), kMaxSpec));
  std::string_view s = trim(spec);
  if (normalize_gpu_name(s).empty())
    return fail(ErrorKind::Usage, fmt::format("--gpu: `{}` names no GPU (`memfit gpus` lists them)", escaped(spec)));
  if (const Gpu* g = find_gpu(s)) return GpuChoice{*g, 1, false};
  // A count suffix: NAME x N or NAME * N.
  size_t end = s.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(s[end - 1]))) --end;
  size_t digits = s.size() - end;
  size_t sep = end;
  while (sep > 0 && s[sep - 1] == ' ') --sep;
  if (digits > 0 && sep > 0 && (s[sep - 1] == 'x' || s[sep - 1] == 'X' || s[sep - 1] == '*')) {
    std::string_view base = trim(s.substr(0, sep - 1));
    if (const Gpu* g = find_gpu(base)) {
      std::string_view num = s.substr(end);
      int count = 0;
      auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), count);
      if (ec != std::errc() || count < 1 || count > kMaxCount)
        return fail(ErrorKind::Usage, fmt::format("--gpu: GPU count `{}` out of range (1 to {})", escaped(num),
                                                  kMaxCount));
      return GpuChoice{*g, count, false};
    }
    if (s[sep - 1] != 'x' && s[sep - 1] != 'X') return std::unexpected(unknown_gpu(base));
  }
  return std::unexpected(unknown_gpu(s));
}

Result<GpuChoice> custom_gpu(uint64_t bytes, int count) {
  if (count < 1 || count > kMaxCount)
    return fail(ErrorKind::Usage, fmt::format("--gpus: {} out of range (1 to {})", count, kMaxCount));
  if (bytes == 0 || bytes > (1ull << 50)) return fail(ErrorKind::Usage, "--gpu-memory: out of range (1 byte to 1 PiB)");
  Gpu g;
  g.vendor = "custom";
  g.name = fmt::format("custom-{:.2f}GiB", static_cast<double>(bytes) / (1ull << 30));
  g.family = "custom";
  g.segment = "custom";
  g.memory_bytes = g.usable_bytes = bytes;
  g.bf16 = true;
  g.source = "--gpu-memory";
  g.usable_measured = true;
  g.usable_source = "given: --gpu-memory";
  return GpuChoice{std::move(g), count, true};
}

Result<uint64_t> parse_memory_size(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return fail(ErrorKind::Usage,
                fmt::format("--gpu-memory: `{}` {} (examples: 24GiB, 80GB, 512MiB, 1.5TB; a bare number is GiB)",
                            escaped(text.substr(0, kMaxSpec)), why));
  };
  if (text.size() > 64) return bad("is too long");
  std::string_view s = trim(text);
  double value = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value, std::chars_format::fixed);
  if (ec != std::errc() || p == s.data()) return bad("is not a memory size");
  std::string unit;
  for (std::string_view rest = trim(std::string_view(p, s.data() + s.size() - p)); char c : rest)
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<const char*, long double> kUnits[] = {
      {"", 1073741824.0L}, {"b", 1.0L},
      {"k", 1024.0L}, {"kib", 1024.0L}, {"kb", 1e3L},
      {"m", 1048576.0L}, {"mib", 1048576.0L}, {"mb", 1e6L},
      {"g", 1073741824.0L}, {"gib", 1073741824.0L}, {"gb", 1e9L},
      {"t", 1099511627776.0L}, {"tib", 1099511627776.0L}, {"tb", 1e12L},
      {"p", 1125899906842624.0L}, {"pib", 1125899906842624.0L}, {"pb", 1e15L}};
  const long double* scale = nullptr;
  for (const auto& [name, mult] : kUnits)
    if (unit == name) scale = &mult;
  if (!scale) return bad("has an unknown unit");
  if (!std::isfinite(value)) return bad("is not a number");
  if (value <= 0) return bad("is not positive");
  long double bytes = std::floor(static_cast<long double>(value) * *scale);
  if (bytes > 1125899906842624.0L) return bad("is over 1 PiB");
  if (bytes < 1) return bad("is less than one byte");
  return static_cast<uint64_t>(bytes);
}

}  // namespace memfit
