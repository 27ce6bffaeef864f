// Collects a checkpoint's tensors from its headers (format/safetensors, format/gguf) the way transformers,
// diffusers and sentence-transformers lay out files on the Hub, then counts them (summarize).
#include "inspect/inspect.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <unordered_map>
#include <sstream>

#include <fmt/format.h>

#include "format/config.h"
#include "format/file_io.h"
#include "format/gguf.h"
#include "format/safetensors.h"

namespace memfit::inspect {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr uint64_t kMaxSmallJson = 64ull << 20;  // index / config / model_index / modules.json

Result<Json> read_json(const fs::path& p) {
  auto text = read_small_file(p.string(), kMaxSmallJson);
  if (!text) return std::unexpected(text.error());
  return parse_json(*text, p.string());
}

bool ends_with(std::string_view s, std::string_view suf) { return s.ends_with(suf); }

uint64_t file_bytes(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

// Rejects weight_map file names that would leave the checkpoint folder.
bool safe_relative(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos) return false;
  for (const auto& part : fs::path(name))
    if (part == "..") return false;
  return true;
}

// One checkpoint: an index with its shards, a single file, or loose shards in `dir`.
Result<void> collect_safetensors_dir(Report& r, const fs::path& dir, const std::string& component,
                                     std::optional<fs::path> index_path = std::nullopt) {
  std::error_code ec;
  if (!index_path) {
    for (const char* n : {"model.safetensors.index.json", "diffusion_pytorch_model.safetensors.index.json"})
      if (fs::is_regular_file(dir / n, ec)) {
        index_path = dir / n;
        break;
      }
  }
  if (index_path) {
    auto j = read_json(*index_path);
    if (!j) return std::unexpected(j.error());
    auto bad = [&](std::string m) { return fail(ErrorKind::BadInput, fmt::format("{}: {}", index_path->string(), m)); };
    if (!j->is_object() || !j->contains("weight_map") || !(*j)["weight_map"].is_object())
      return bad("no `weight_map` object");
    std::map<std::string, std::vector<std::string>> by_file;
    for (auto it = (*j)["weight_map"].begin(); it != (*j)["weight_map"].end(); ++it) {
      if (!it.value().is_string()) return bad(fmt::format("weight_map entry `{}` is not a file name", it.key()));
      std::string f = it.value().get<std::string>();
      if (!safe_relative(f)) return bad(fmt::format("weight_map names a file outside the folder: `{}`", f));
      by_file[f].push_back(it.key());
    }
    if (j->contains("metadata") && (*j)["metadata"].is_object() && (*j)["metadata"].contains("total_size")) {
      const auto& ts = (*j)["metadata"]["total_size"];
      if (ts.is_number_integer() && (ts.is_number_unsigned() || ts.get<int64_t>() >= 0))
        r.index_total_size = r.index_total_size.value_or(0) + ts.get<uint64_t>();
      else if (ts.is_number_float() && ts.get<double>() >= 0)  // some writers emit 1.2e10
        r.index_total_size = r.index_total_size.value_or(0) + static_cast<uint64_t>(ts.get<double>());
    }
    for (const auto& [f, names] : by_file) {
      fs::path shard = index_path->parent_path() / f;
      if (!fs::is_regular_file(shard, ec))
        return fail(ErrorKind::NotFound, fmt::format("{}: shard `{}` listed in the index is missing",
                                                     index_path->string(), f));
      auto h = safetensors::read_file(shard.string());
      if (!h) return std::unexpected(h.error());
      std::set<std::string_view> have;
      for (const auto& t : h->tensors) have.insert(t.name);
      for (const auto& n : names)
        if (!have.count(n))
          return bad(fmt::format("tensor `{}` is mapped to `{}` but that file does not hold it", n, f));
      if (h->tensors.size() > names.size())
        r.notes.push_back(fmt::format("{} holds {} tensors that the index does not list", f,
                                      h->tensors.size() - names.size()));
      add_safetensors(r, shard.string(), file_bytes(shard), component, std::move(*h));
    }
    return {};
  }
  std::vector<fs::path> files;
  for (const char* n : {"model.safetensors", "diffusion_pytorch_model.safetensors"})
    if (fs::is_regular_file(dir / n, ec)) files.push_back(dir / n);
  if (files.empty()) {
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file(ec) && e.path().extension() == ".safetensors") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    // Mistral repos carry consolidated.safetensors beside the transformers shards: the same weights twice.
    if (files.size() > 1)
      std::erase_if(files, [](const fs::path& p) { return p.filename().string().starts_with("consolidated"); });
  }
  if (files.empty())
    return fail(ErrorKind::NotFound, fmt::format("{}: no .safetensors or .gguf files", dir.string()));
  for (const auto& f : files) {
    auto h = safetensors::read_file(f.string());
    if (!h) return std::unexpected(h.error());
    add_safetensors(r, f.string(), file_bytes(f), component, std::move(*h));
  }
  return {};
}

bool has_safetensors(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file(ec) && e.path().extension() == ".safetensors") return true;
  return false;
}

Result<void> collect_gguf(Report& r, const std::string& path, const std::string& component) {
  auto parts = gguf::split_paths(path);
  if (!parts) return std::unexpected(parts.error());
  r.format = "gguf";
  for (size_t k = 0; k < parts->size(); ++k) {
    const std::string& p = (*parts)[k];
    auto f = gguf::read_file(p);
    if (!f) return std::unexpected(f.error());
    if (parts->size() > 1) {
      auto cnt = f->get_int("split.count");
      if (cnt && *cnt != static_cast<int64_t>(parts->size()))
        return fail(ErrorKind::BadInput,
                    fmt::format("{}: split.count is {} but the file name says {} parts", p, *cnt, parts->size()));
    }
    add_gguf(r, p, *f, component, k == 0);
  }
  return {};
}

// A folder of GGUF files: one model (maybe split) plus optional mmproj-* projector.
Result<void> collect_gguf_dir(Report& r, const fs::path& dir) {
  std::error_code ec;
  std::set<std::string> models;
  std::vector<std::string> mmproj;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec) || e.path().extension() != ".gguf") continue;
    std::string name = e.path().filename().string();
    if (name.starts_with("mmproj")) {
      mmproj.push_back(e.path().string());
      continue;
    }
    auto idx = gguf::split_index(name);
    if (idx && idx->first != 1) continue;
    models.insert(e.path().string());
  }
  if (models.size() != 1) {
    std::string list;
    for (const auto& m : models) list += (list.empty() ? "" : ", ") + fs::path(m).filename().string();
    return fail(ErrorKind::Usage,
                fmt::format("{}: holds {} GGUF models ({}): pass one file", dir.string(), models.size(), list));
  }
  if (auto e = collect_gguf(r, *models.begin(), ""); !e) return e;
  std::sort(mmproj.begin(), mmproj.end());
  for (const auto& m : mmproj)
    if (auto e = collect_gguf(r, m, fs::path(m).stem().string()); !e) return e;
  return {};
}

std::optional<Json> load_config(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "config.json", ec)) return std::nullopt;
  auto j = read_json(dir / "config.json");
  if (!j || !j->is_object()) return std::nullopt;
  return *j;
}

}  // namespace

void add_safetensors(Report& r, const std::string& path, uint64_t file_bytes, const std::string& component,
                     safetensors::Header&& h) {
  r.files.push_back({path, file_bytes ? file_bytes : 8 + h.header_bytes + h.data_bytes, 8 + h.header_bytes,
                     h.tensors.size(), component});
  r.tensor_list.reserve(r.tensor_list.size() + h.tensors.size());
  for (auto& t : h.tensors) {
    Tensor x;
    x.name = std::move(t.name);
    x.dtype = std::move(t.dtype);
    x.shape = std::move(t.shape);
    x.elements = t.elements;
    x.bytes = t.bytes();
    x.component = component;
    r.tensor_list.push_back(std::move(x));
  }
  h.tensors.clear();
}

void add_gguf(Report& r, const std::string& path, const gguf::File& f, const std::string& component,
              bool first_part) {
  r.files.push_back({path, f.file_size, f.data_offset, f.tensors.size(), component});
  for (const auto& t : f.tensors) {
    Tensor x;
    x.name = t.name;
    x.dtype = std::string(t.type_name);
    for (auto d : t.dims) x.shape.push_back(static_cast<int64_t>(d));
    x.elements = t.elements;
    x.bytes = t.bytes;
    x.parameters = t.elements;
    x.component = component;
    r.tensor_list.push_back(std::move(x));
  }
  if (!first_part || !component.empty()) return;
  auto a = gguf::arch_info(f);
  GgufInfo g;
  g.version = f.version;
  g.architecture = a.architecture;
  g.file_type = a.file_type ? gguf::file_type_name(*a.file_type) : "";
  g.alignment = f.alignment;
  Json hp = Json::object();
  using Scalar = std::optional<int64_t> gguf::ArchInfo::*;
  using PerLayer = std::vector<int64_t> gguf::ArchInfo::*;
  // Scalars as numbers; per-layer lists as a number when they hold one value, else whole.
  for (auto [k, v] : {std::pair<const char*, Scalar>{"block_count", &gguf::ArchInfo::block_count},
                      {"context_length", &gguf::ArchInfo::context_length},
                      {"embedding_length", &gguf::ArchInfo::embedding_length},
                      {"key_length", &gguf::ArchInfo::key_length},
                      {"value_length", &gguf::ArchInfo::value_length},
                      {"sliding_window", &gguf::ArchInfo::sliding_window},
                      {"expert_count", &gguf::ArchInfo::expert_count},
                      {"expert_used_count", &gguf::ArchInfo::expert_used_count},
                      {"vocab_size", &gguf::ArchInfo::vocab_size}})
    if (a.*v) hp[k] = *(a.*v);
  for (auto [k, v] : {std::pair<const char*, PerLayer>{"feed_forward_length", &gguf::ArchInfo::feed_forward_length},
                      {"head_count", &gguf::ArchInfo::head_count},
                      {"head_count_kv", &gguf::ArchInfo::head_count_kv}}) {
    if ((a.*v).size() == 1) hp[k] = (a.*v)[0];
    else if (!(a.*v).empty()) hp[k] = a.*v;
  }
  g.hyperparameters = std::move(hp);
  r.gguf = std::move(g);
}

namespace {
Result<Report> inspect_local(const std::string& path) {
  Report r;
  r.source = path;
  r.format = "safetensors";
  std::error_code ec;
  fs::path p(path);
  if (!fs::exists(p, ec)) {
    if (ec == std::errc::too_many_symbolic_link_levels)
      return fail(ErrorKind::BadInput, fmt::format("{}: too many levels of symbolic links (a symlink loop?)", path));
    return fail(ErrorKind::NotFound, fmt::format("{}: no such file or folder", path));
  }
  std::optional<Json> config;
  if (fs::is_directory(p, ec)) {
    config = load_config(p);
    if (fs::is_regular_file(p / "model_index.json", ec)) {
      // diffusers: every listed component folder that holds weights.
      auto mi = read_json(p / "model_index.json");
      if (!mi) return std::unexpected(mi.error());
      if (!mi->is_object()) return fail(ErrorKind::BadInput, fmt::format("{}/model_index.json: not an object", path));
      for (auto it = mi->begin(); it != mi->end(); ++it) {
        if (!it.value().is_array() || it.key().starts_with("_") || !safe_relative(it.key())) continue;
        if (!has_safetensors(p / it.key())) continue;
        if (auto e = collect_safetensors_dir(r, p / it.key(), it.key()); !e) return std::unexpected(e.error());
        if (!config) config = load_config(p / it.key());
      }
      if (r.tensor_list.empty())
        return fail(ErrorKind::NotFound, fmt::format("{}: no component of model_index.json holds safetensors", path));
    } else if (has_safetensors(p)) {
      bool st_modules = fs::is_regular_file(p / "modules.json", ec);
      if (auto e = collect_safetensors_dir(r, p, st_modules ? "transformer" : ""); !e)
        return std::unexpected(e.error());
      if (st_modules) {
        // sentence-transformers: Dense (and other) modules with their own weights in numbered subfolders.
        auto mj = read_json(p / "modules.json");
        if (!mj) return std::unexpected(mj.error());
        if (mj->is_array())
          for (const auto& m : *mj) {
            if (!m.is_object() || !m.contains("path") || !m["path"].is_string()) continue;
            std::string sub = m["path"].get<std::string>();
            if (sub.empty() || !safe_relative(sub) || !has_safetensors(p / sub)) continue;
            if (auto e = collect_safetensors_dir(r, p / sub, sub); !e) return std::unexpected(e.error());
          }
      }
    } else {
      bool any_gguf = false;
      for (const auto& e : fs::directory_iterator(p, ec))
        if (e.is_regular_file(ec) && e.path().extension() == ".gguf") any_gguf = true;
      if (any_gguf) {
        if (auto e = collect_gguf_dir(r, p); !e) return std::unexpected(e.error());
      } else {
        // A repo whose weights live only in subfolders: each is a component.
        std::vector<fs::path> subs;
        for (const auto& e : fs::directory_iterator(p, ec))
          if (e.is_directory(ec) && has_safetensors(e.path())) subs.push_back(e.path());
        std::sort(subs.begin(), subs.end());
        if (subs.empty())
          return fail(ErrorKind::NotFound, fmt::format("{}: no .safetensors or .gguf files", path));
        for (const auto& s : subs)
          if (auto e = collect_safetensors_dir(r, s, s.filename().string()); !e) return std::unexpected(e.error());
      }
    }
  } else {
    std::string name = p.filename().string();
    config = load_config(p.parent_path().empty() ? fs::path(".") : p.parent_path());
    if (ends_with(name, ".gguf")) {
      if (auto e = collect_gguf(r, path, ""); !e) return std::unexpected(e.error());
    } else if (ends_with(name, ".safetensors.index.json")) {
      if (auto e = collect_safetensors_dir(r, p.parent_path(), "", p); !e) return std::unexpected(e.error());
    } else if (ends_with(name, ".index.json")) {
      return fail(ErrorKind::Unsupported,
                  fmt::format("{}: a pickle (.bin) checkpoint index; only safetensors and GGUF headers can be read "
                              "without loading the weights", path));
    } else {
      auto h = safetensors::read_file(path);
      if (!h) {
        // Not safetensors by name? Try GGUF by magic before giving up (through the same checked open: a FIFO or a
        // device never gets this far).
        bool gguf_magic = false;
        (void)with_local_file(path, [&](const RangeReader& rd, uint64_t) {
          auto m = rd(0, 4);
          gguf_magic = m && *m == "GGUF";
        });
        if (gguf_magic) {
          if (auto e = collect_gguf(r, path, ""); !e) return std::unexpected(e.error());
        } else {
          return std::unexpected(h.error());
        }
      } else {
        add_safetensors(r, path, file_bytes(p), "", std::move(*h));
      }
    }
  }
  summarize(r, config ? &*config : nullptr);
  return r;
}
}  // namespace

Result<Report> inspect_path(const std::string& path) {
  try {
    return inspect_local(path);
  } catch (const fs::filesystem_error& e) {
    // Every filesystem call above takes an error code; this is the net under a library call that still throws.
    return fail(ErrorKind::BadInput, fmt::format("{}: {}", path, e.code().message()));
  }
}

namespace {

// The expert number N of a per-expert tensor name: `experts.N.` or `local_experts.N.`, at the start of the name or
// after a dot (what the regex (^|\.)(local_)?experts\.(\d+)\. finds; a plain scan, as it runs on every tensor).
std::optional<uint64_t> numbered_expert(std::string_view name) {
  for (size_t at = name.find("experts."); at != std::string_view::npos; at = name.find("experts.", at + 1)) {
    size_t start = at;
    if (start >= 6 && name.substr(start - 6, 6) == "local_") start -= 6;
    if (start != 0 && name[start - 1] != '.') continue;
    size_t k = at + 8, digits = 0;
    uint64_t id = 0;
    while (k < name.size() && name[k] >= '0' && name[k] <= '9') {
      if (digits < 19) id = id * 10 + static_cast<uint64_t>(name[k] - '0');
      ++k, ++digits;
    }
    if (digits > 0 && k < name.size() && name[k] == '.') return digits < 19 ? id : UINT64_MAX;
  }
  return std::nullopt;
}

const Json* quant_config(const Json* config) {
  if (!config || !config->is_object()) return nullptr;
  for (const char* k : {"quantization_config", "compression_config"})
    if (auto it = config->find(k); it != config->end() && it->is_object()) return &*it;
  for (const char* sub : {"text_config", "language_config", "llm_config"})
    if (auto it = config->find(sub); it != config->end() && it->is_object())
      if (auto q = it->find("quantization_config"); q != it->end() && q->is_object()) return &*q;
  return nullptr;
}

std::optional<int64_t> config_int(const Json* config, std::initializer_list<const char*> keys) {
  if (!config || !config->is_object()) return std::nullopt;
  std::vector<const Json*> scopes{config};
  for (const char* sub : {"text_config", "language_config", "llm_config"})
    if (auto it = config->find(sub); it != config->end() && it->is_object()) scopes.push_back(&*it);
  for (const Json* s : scopes)
    for (const char* k : keys)
      if (auto it = s->find(k); it != s->end() && it->is_number_integer()) return it->get<int64_t>();
  return std::nullopt;
}

// Bits per packed weight from the quantization config (GPTQ/AWQ `bits`, compressed-tensors `num_bits`).
int config_bits(const Json* q) {
  if (!q) return 0;
  if (auto it = q->find("bits"); it != q->end() && it->is_number_integer()) return it->get<int>();
  if (auto it = q->find("w_bit"); it != q->end() && it->is_number_integer()) return it->get<int>();
  if (auto g = q->find("config_groups"); g != q->end() && g->is_object())
    for (const auto& grp : *g)
      if (grp.is_object())
        if (auto w = grp.find("weights"); w != grp.end() && w->is_object())
          if (auto nb = w->find("num_bits"); nb != w->end() && nb->is_number_integer()) return nb->get<int>();
  return 0;
}

// Every tensor's "component \x1f name" → its dtype: a hash map, as it is asked a few times per tensor (a 100 MB
// header holds over a million tensors).
using NameIndex = std::unordered_map<std::string, std::string_view>;

// `names()` gives the index, built at its first use: most checkpoints never need it.
template <class Names>
bool is_overhead_suffix(const std::string& n, const Names& names) {
  auto stem_has = [&](std::string_view suf, std::string_view other) {
    if (!n.ends_with(suf)) return false;
    return names().count(n.substr(0, n.size() - suf.size()) + std::string(other)) > 0;
  };
  // GPTQ / AWQ companions of a qweight.
  if (stem_has(".qzeros", ".qweight") || stem_has(".scales", ".qweight") || stem_has(".g_idx", ".qweight"))
    return true;
  // MXFP4 scales of a _blocks tensor.
  if (stem_has("_scales", "_blocks")) return true;
  static constexpr std::string_view always[] = {".weight_scale", ".weight_scale_inv", ".weight_scale_2", ".weight_zero_point",
                                 ".weight_g_idx", ".weight_shape", ".input_scale", ".output_scale", ".k_scale",
                                 ".v_scale", ".q_scale", ".input_global_scale", ".weight_global_scale",
                                 ".weight.absmax", ".weight.quant_map", ".weight.nested_absmax",
                                 ".weight.nested_quant_map", ".weight.quant_state.bitsandbytes__nf4",
                                 ".weight.quant_state.bitsandbytes__fp4", ".SCB", ".weight_format"};
  for (std::string_view s : always)
    if (n.ends_with(s)) return true;
  return false;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

void summarize(Report& r, const Json* config) {
  const Json* q = quant_config(config);
  std::string method;
  if (q)
    if (auto it = q->find("quant_method"); it != q->end() && it->is_string()) method = lower(it->get<std::string>());
  int bits = config_bits(q);
  std::optional<NameIndex> index;
  auto names = [&]() -> const NameIndex& {
    if (!index) {
      index.emplace();
      index->reserve(r.tensor_list.size());
      for (const auto& t : r.tensor_list) index->emplace(t.component + "\x1f" + t.name, t.dtype);
    }
    return *index;
  };
  bool gguf = r.format == "gguf";

  // What the tensors say, where the config is silent.
  std::string seen_method;
  Quantization& qs = r.quantization;
  for (auto& t : r.tensor_list) {
    t.overhead = false;
    t.packed = false;
    t.parameters = t.elements;
    if (gguf) continue;
    const std::string key = t.component + "\x1f" + t.name;
    const std::string& n = key;
    if (is_overhead_suffix(n, names)) {
      t.overhead = true;
      t.parameters = 0;
      if (n.ends_with(".SCB")) seen_method = "bitsandbytes-8bit";
      if (n.ends_with(".weight_scale_inv")) seen_method = seen_method.empty() ? "fp8" : seen_method;
      continue;
    }
    auto sib = [&](std::string_view suf) { return names().count(n + std::string(suf)) > 0; };
    auto stem = [&](std::string_view suf) { return n.substr(0, n.size() - suf.size()); };
    if (t.name.ends_with(".qweight") && t.dtype == "I32") {
      int b = bits > 0 ? bits : 4;
      t.packed = true;
      t.parameters = t.elements * (32 / b);
      seen_method = method == "awq" ? "awq" : (method.empty() ? "gptq" : method);
    } else if (t.name.ends_with(".weight_packed") && t.dtype == "I32") {
      int b = bits > 0 ? bits : 4;
      t.packed = true;
      t.parameters = t.elements * (32 / b);
      seen_method = "compressed-tensors";
    } else if (t.name.ends_with("_blocks") && t.dtype == "U8" && names().count(stem("_blocks") + "_scales")) {
      t.packed = true;
      t.parameters = t.elements * 2;
      seen_method = "mxfp4";
    } else if (t.dtype == "U8" && t.name.ends_with(".weight") &&
               (sib(".absmax") || sib(".quant_state.bitsandbytes__nf4") || sib(".quant_state.bitsandbytes__fp4"))) {
      t.packed = true;
      t.parameters = t.elements * 2;
      seen_method = sib(".quant_state.bitsandbytes__fp4") ? "bitsandbytes-fp4" : "bitsandbytes-nf4";
    } else if (t.dtype == "U8" && t.name.ends_with(".weight") && names().count(stem(".weight") + ".weight_scale") &&
               names().at(stem(".weight") + ".weight_scale") == "F8_E4M3") {
      t.packed = true;  // NVFP4 (ModelOpt): two E2M1 values per byte, FP8 scale per 16
      t.parameters = t.elements * 2;
      seen_method = "nvfp4";
    } else if ((t.dtype == "F8_E4M3" || t.dtype == "F8_E5M2" || t.dtype == "F8_E4M3FNUZ" ||
                t.dtype == "F8_E5M2FNUZ") && seen_method.empty()) {
      seen_method = "fp8";
    }
  }
  if (gguf) {
    qs.method = r.gguf && !r.gguf->file_type.empty() ? "gguf " + r.gguf->file_type : "gguf";
  } else if (!method.empty()) {
    qs.method = method;
    if (method == "bitsandbytes" && !seen_method.empty()) qs.method = seen_method;
  } else {
    qs.method = seen_method;
  }
  qs.bits = bits;
  if (qs.bits == 0 && (qs.method == "gptq" || qs.method == "awq" || qs.method == "mxfp4" || qs.method == "nvfp4" ||
                       qs.method.starts_with("bitsandbytes-") && qs.method != "bitsandbytes-8bit"))
    qs.bits = 4;
  if (qs.bits == 0 && (qs.method == "fp8" || qs.method == "bitsandbytes-8bit")) qs.bits = 8;

  // Totals, dtypes, components.
  r.tensors = r.tensor_list.size();
  r.parameters = r.total_bytes = 0;
  r.dtypes.clear();
  r.components.clear();
  std::map<std::string, size_t> comp_idx;
  for (const auto& t : r.tensor_list) {
    r.parameters += t.parameters;
    r.total_bytes += t.bytes;
    auto& d = r.dtypes[t.dtype];
    d.tensors++;
    d.elements += t.elements;
    d.bytes += t.bytes;
    if (t.packed) {
      qs.packed_tensors++;
      qs.packed_parameters += t.parameters;
    }
    if (t.overhead) {
      qs.overhead_tensors++;
      qs.overhead_bytes += t.bytes;
    }
    std::string cname = t.component.empty() ? "model" : t.component;
    auto [it, fresh] = comp_idx.try_emplace(cname, r.components.size());
    if (fresh) r.components.push_back({cname, 0, 0, 0});
    auto& c = r.components[it->second];
    c.tensors++;
    c.parameters += t.parameters;
    c.bytes += t.bytes;
  }

  // MoE: per-expert tensors (experts.N.), fused expert tensors (experts.<proj> with experts first), GGUF *_exps.
  Moe m;
  std::set<uint64_t> ids;
  uint64_t fused_experts = 0;
  bool any = false;
  for (const auto& t : r.tensor_list) {
    Group* g = &m.other;
    if (t.name.find("shared_expert") != std::string::npos || t.name.find("_shexp") != std::string::npos) {
      g = &m.shared;
    } else if (auto id = numbered_expert(t.name)) {
      g = &m.routed;
      if (*id < (1u << 20)) ids.insert(*id);
      any = true;
    } else if (gguf && t.name.find("_exps") != std::string::npos && t.shape.size() >= 3) {
      g = &m.routed;
      fused_experts = std::max<uint64_t>(fused_experts, static_cast<uint64_t>(t.shape[2]));
      any = true;
    } else if (!gguf && t.name.find(".experts.") != std::string::npos && !t.shape.empty()) {
      g = &m.routed;
      if (!t.overhead || fused_experts == 0)
        fused_experts = std::max<uint64_t>(fused_experts, static_cast<uint64_t>(t.shape[0]));
      any = true;
    }
    g->tensors++;
    g->parameters += t.parameters;
    g->bytes += t.bytes;
  }
  if (any) {
    m.experts = std::max<uint64_t>(ids.empty() ? 0 : *ids.rbegin() + 1, fused_experts);
    if (gguf && r.gguf) {
      if (auto it = r.gguf->hyperparameters.find("expert_count"); it != r.gguf->hyperparameters.end())
        m.config_experts = it->get<int64_t>();
      if (auto it = r.gguf->hyperparameters.find("expert_used_count"); it != r.gguf->hyperparameters.end())
        m.experts_per_token = it->get<int64_t>();
    } else {
      m.config_experts = config_int(config, {"num_local_experts", "n_routed_experts", "num_experts",
                                             "moe_num_experts"});
      m.experts_per_token = config_int(config, {"num_experts_per_tok", "moe_k", "num_experts_per_token", "top_k"});
    }
    m.consistent = !m.config_experts || static_cast<int64_t>(m.experts) == *m.config_experts;
    if (!m.consistent)
      r.notes.push_back(fmt::format("the tensors hold {} experts but the config says {}", m.experts,
                                    *m.config_experts));
    r.moe = m;
  }
  if (r.index_total_size && *r.index_total_size != r.total_bytes) {
    int64_t diff = static_cast<int64_t>(*r.index_total_size) - static_cast<int64_t>(r.total_bytes);
    r.notes.push_back(fmt::format("the index's metadata.total_size is {} bytes, the headers hold {} ({:+} bytes)",
                                  *r.index_total_size, r.total_bytes, diff));
  }
}

}  // namespace memfit::inspect
