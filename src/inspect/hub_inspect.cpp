// Reads a Hub repository's checkpoint headers with Range requests (huggingface_hub's get_safetensors_metadata and
// hf-mem do the same). The repository's file list (the tree API) says what is there: model.safetensors.index.json
// -> shards, else model.safetensors, else diffusers components from model_index.json, else loose .safetensors files,
// else one GGUF model (split or not). Weights are never downloaded.
#include "inspect/hub_inspect.h"

#include <fmt/format.h>

#ifdef MEMFIT_HAS_HUB
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>

#include "format/config.h"
#include "format/escape.h"
#include "format/gguf.h"
#include "format/safetensors.h"
#include "source/hf_cache.h"
#include "source/hub.h"
#include "source/token.h"
#endif

namespace memfit::inspect {

#ifndef MEMFIT_HAS_HUB

bool hub_inspect_available() { return false; }
Result<Report> inspect_hub(std::string_view model, const HubInspectOptions&) {
  return fail(ErrorKind::Unsupported,
              fmt::format("`{}` is not a local file or folder, and this build reads Hub repositories only through "
                          "the Hub client, which it lacks",
                          model));
}

#else

namespace {
using Json = nlohmann::json;

// Caps that bound one run whatever the repository holds.
constexpr size_t kMaxShards = 4096;                      // shards in one index (the largest real ones: a few hundred)
constexpr uint64_t kMaxHeaderBytesInFlight = 128 << 20;  // JSON header bytes being fetched and parsed at once
constexpr uint64_t kMaxHeaderBytesPerRun = 512ull << 20; // JSON header bytes read in one run, all shards together

// Header bytes held at once by the parallel readers: a large header waits until the others are done with theirs
// (one larger than the whole budget runs alone).
class ByteBudget {
 public:
  explicit ByteBudget(uint64_t cap) : cap_(cap) {}
  void acquire(uint64_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return used_ == 0 || used_ + n <= cap_; });
    used_ += n;
  }
  void release(uint64_t n) {
    {
      std::lock_guard lock(mu_);
      used_ -= n;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t used_ = 0, cap_;
};

struct Ctx {
  const HubInspectOptions& o;
  HubOptions hub;
  RepoRef ref;
  std::atomic<uint64_t> fetched{0};
  std::atomic<uint64_t> header_bytes{0};  // JSON header bytes asked for so far (kMaxHeaderBytesPerRun)
  ByteBudget budget{kMaxHeaderBytesInFlight};
  std::optional<std::map<std::string, uint64_t>> listing;  // path -> size, when the tree API answered

  bool has(const std::string& path) const { return !listing || listing->count(path); }
  std::optional<uint64_t> size_of(const std::string& path) const {
    if (!listing) return std::nullopt;
    auto it = listing->find(path);
    if (it == listing->end() || it->second == 0) return std::nullopt;
    return it->second;
  }
};

Result<HubOptions> hub_options(const HubInspectOptions& o) {
  HubOptions h;
  h.endpoint = o.endpoint.empty() ? hub_endpoint() : o.endpoint;
  Token t = o.env_token ? find_token(o.token) : Token{o.token, "the request's token"};
  if (!t.value.empty())
    if (auto ok = check_token(t.value, t.source); !ok) return std::unexpected(ok.error());
  h.token = t.value;
  h.token_source = t.source;
  if (auto ok = apply_hub_settings(h, o.timeout_s, o.connect_timeout_s); !ok) return std::unexpected(ok.error());
  return h;
}

// A small JSON side file (index, config, model_index), or nullopt when the repo does not have it.
// Side files are cached in the HF cache like any Hub download (huggingface_hub's layout), so a second run reads them
// from disk. Headers are byte ranges of weight files and have no place in that layout: they are fetched each time.
Result<std::optional<Json>> small_json(Ctx& c, HubClient& client, const std::string& file) {
  if (!c.has(file)) return std::optional<Json>{};
  auto f = client.download(c.ref, file, 64u << 20);
  if (!f) {
    if (f.error().kind == ErrorKind::NotFound) return std::optional<Json>{};
    return std::unexpected(f.error());
  }
  c.fetched += f->content.size();
  if (!f->commit.empty() && is_safe_etag(f->etag))
    (void)cache_store(hub_cache_dir(), c.ref.id, c.ref.revision, f->commit, f->etag, file, f->content);
  auto j = parse_json(f->content, c.ref.id + "/" + file);
  if (!j) return std::unexpected(j.error());
  return std::optional<Json>{std::move(*j)};
}

RangeReader ranged(Ctx& c, HubClient& client, const std::string& file) {
  return [&c, &client, file](uint64_t off, uint64_t len) -> Result<std::string> {
    auto r = client.download_range(c.ref, file, off, len);
    if (r) c.fetched += r->size();
    return r;
  };
}

// Reads the safetensors headers of `files` (repo paths) in parallel, each worker with its own client. The first
// error stops the others from starting more files (a list of missing shards costs a few requests, not thousands).
Result<void> read_safetensors(Ctx& c, Report& r, const std::vector<std::string>& files, const std::string& component) {
  std::vector<std::optional<Result<safetensors::Header>>> out(files.size());  // nullopt: not read (stopped)
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  // A progress line on a terminal when reading takes longer than half a second; nothing otherwise.
  const bool tty = ::isatty(2) != 0;
  const auto start = std::chrono::steady_clock::now();
  std::atomic<size_t> done{0};
  std::mutex print;
  bool printed = false;
  auto worker = [&] {
    HubClient client(c.hub);
    for (size_t k; !stop && (k = next++) < files.size();) {
      const std::string origin = c.ref.id + "/" + files[k];
      uint64_t held = 0;
      RangeReader base = ranged(c, client, files[k]);
      // The JSON read (the second) is where the memory goes: count it against the run's caps.
      RangeReader rd = [&](uint64_t off, uint64_t len) -> Result<std::string> {
        if (off == 8 && len > 8) {
          if ((c.header_bytes += len) > kMaxHeaderBytesPerRun)
            return fail(ErrorKind::BadInput, fmt::format("{}: the repository's safetensors headers add up to more "
                                                         "than {} MiB", origin, kMaxHeaderBytesPerRun >> 20));
          c.budget.acquire(len);
          held = len;
        }
        return base(off, len);
      };
      out[k] = safetensors::read_header(rd, c.size_of(files[k]), origin);
      if (held) c.budget.release(held);
      if (!*out[k]) stop = true;
      size_t d = ++done;
      if (tty && std::chrono::steady_clock::now() - start > std::chrono::milliseconds(500)) {
        std::lock_guard lock(print);
        std::fprintf(stderr, "\rmemfit: reading safetensors headers of %s: %zu/%zu files, %llu bytes", c.ref.id.c_str(),
                     d, files.size(), static_cast<unsigned long long>(c.fetched.load()));
        printed = true;
      }
    }
  };
  size_t n = std::clamp<size_t>(static_cast<size_t>(std::max(1, c.o.parallel)), 1, files.size());
  std::vector<std::future<void>> fs;
  for (size_t t = 0; t < n; ++t) fs.push_back(std::async(std::launch::async, worker));
  for (auto& f : fs) f.get();
  if (printed) std::fprintf(stderr, "\r\033[K");
  for (const auto& h : out)
    if (h && !*h) return std::unexpected(h->error());
  for (size_t k = 0; k < files.size(); ++k)
    add_safetensors(r, files[k], c.size_of(files[k]).value_or(0), component, std::move(**out[k]));
  return {};
}

// An index's shards, checked: plain relative paths inside the repository, at most kMaxShards, each one listed.
Result<void> read_index(Ctx& c, HubClient& client, Report& r, const std::string& index, const std::string& component) {
  auto idx = small_json(c, client, index);
  if (!idx) return std::unexpected(idx.error());
  if (!*idx) return fail(ErrorKind::NotFound, fmt::format("{}: no `{}`", c.ref.id, terminal_safe(index, 200)));
  const Json& j = **idx;
  const std::string origin = c.ref.id + "/" + index;
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
    return fail(ErrorKind::BadInput, fmt::format("{}: no `weight_map` object", origin));
  const std::string dir = index.find('/') == std::string::npos ? "" : index.substr(0, index.rfind('/') + 1);
  std::vector<std::string> shards;
  for (const auto& v : j["weight_map"]) {
    if (!v.is_string()) return fail(ErrorKind::BadInput, fmt::format("{}: a weight_map value is not a file name", origin));
    const std::string name = v.get<std::string>();
    if (!is_safe_repo_path(name))
      return fail(ErrorKind::BadInput, fmt::format("{}: shard `{}` is not a plain relative file path inside the "
                                                   "repository; nothing was requested",
                                                   origin, terminal_safe(name, 200)));
    shards.push_back(dir + name);
  }
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  if (shards.size() > kMaxShards)
    return fail(ErrorKind::BadInput, fmt::format("{}: {} shards, more than the {} memfit reads", origin,
                                                 shards.size(), kMaxShards));
  for (const auto& s : shards)
    if (!c.has(s))
      return fail(ErrorKind::NotFound, fmt::format("{}: shard `{}` is listed in the index but the repository does "
                                                   "not have it",
                                                   origin, terminal_safe(s, 200)));
  if (j.contains("metadata") && j["metadata"].is_object() && j["metadata"].contains("total_size") &&
      j["metadata"]["total_size"].is_number_unsigned())
    r.index_total_size = r.index_total_size.value_or(0) + j["metadata"]["total_size"].get<uint64_t>();
  return read_safetensors(c, r, shards, component);
}

// A GGUF model: `file` and, for a split file, all its parts (named from the -0000k-of-0000N suffix).
Result<void> read_gguf(Ctx& c, HubClient& client, Report& r, const std::string& file, const std::string& component) {
  std::vector<std::string> parts{file};
  const std::string base = file.substr(file.rfind('/') + 1);
  if (auto idx = gguf::split_index(base)) {
    const std::string stem = file.substr(0, file.size() - std::string_view("-00001-of-00001.gguf").size());
    parts.clear();
    for (int k = 1; k <= idx->second; ++k) parts.push_back(fmt::format("{}-{:05d}-of-{:05d}.gguf", stem, k, idx->second));
  }
  if (parts.size() > kMaxShards)
    return fail(ErrorKind::BadInput, fmt::format("{}/{}: {} parts, more than {}", c.ref.id, file, parts.size(), kMaxShards));
  r.format = "gguf";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (!c.has(parts[k]))
      return fail(ErrorKind::NotFound, fmt::format("{}: GGUF part `{}` is missing", c.ref.id, parts[k]));
    // The file list gives the size; without it, the reader checks counts against what it can read.
    gguf::Limits lim;
    lim.read_ahead = 64u << 10;
    auto f = gguf::read(ranged(c, client, parts[k]), c.size_of(parts[k]).value_or(UINT64_MAX / 2),
                        c.ref.id + "/" + parts[k], lim);
    if (!f) return std::unexpected(f.error());
    if (!c.size_of(parts[k])) f->file_size = 0;
    add_gguf(r, parts[k], *f, component, k == 0);
  }
  return {};
}

// One checkpoint in folder `dir` ("" = the root, else "name/"), as the file list shows it; false when it has none.
Result<bool> read_folder(Ctx& c, HubClient& client, Report& r, const std::string& dir, const std::string& component) {
  for (const char* stem : {"model", "diffusion_pytorch_model"}) {
    const std::string index = dir + stem + ".safetensors.index.json";
    if (c.listing ? c.listing->count(index) > 0 : true) {
      auto idx = small_json(c, client, index);  // without a list: probe
      if (!idx) return std::unexpected(idx.error());
      if (*idx) {
        if (auto e = read_index(c, client, r, index, component); !e) return std::unexpected(e.error());
        return true;
      }
    }
    const std::string single = dir + stem + ".safetensors";
    if (c.listing && !c.listing->count(single)) continue;
    auto one = read_safetensors(c, r, {single}, component);
    if (one) return true;
    if (one.error().kind != ErrorKind::NotFound) return std::unexpected(one.error());
  }
  if (!c.listing) return false;
  // Loose .safetensors files directly in the folder (Mistral's consolidated.safetensors beside them is a duplicate).
  std::vector<std::string> loose;
  for (const auto& [path, size] : *c.listing)
    if (path.starts_with(dir) && path.ends_with(".safetensors") && path.find('/', dir.size()) == std::string::npos)
      loose.push_back(path);
  if (loose.size() > 1)
    std::erase_if(loose, [&](const std::string& p) { return p.substr(dir.size()).starts_with("consolidated"); });
  if (loose.empty()) return false;
  if (loose.size() > kMaxShards)
    return fail(ErrorKind::BadInput, fmt::format("{}: {} .safetensors files, more than {}", c.ref.id, loose.size(), kMaxShards));
  if (auto e = read_safetensors(c, r, loose, component); !e) return std::unexpected(e.error());
  return true;
}

// The GGUF models in the file list: first parts of split files and single files, without mmproj projectors.
std::vector<std::string> gguf_models(const Ctx& c) {
  std::vector<std::string> out;
  for (const auto& [path, size] : *c.listing) {
    if (!path.ends_with(".gguf")) continue;
    std::string base = path.substr(path.rfind('/') + 1);
    if (base.starts_with("mmproj")) continue;
    if (auto idx = gguf::split_index(base); idx && idx->first != 1) continue;
    out.push_back(path);
  }
  return out;
}

Result<void> discover(Ctx& c, HubClient& client, Report& r) {
  auto root = read_folder(c, client, r, "", "");
  if (!root) return std::unexpected(root.error());
  if (*root) return {};
  // diffusers: the components model_index.json lists, each in its folder.
  auto mi = small_json(c, client, "model_index.json");
  if (!mi) return std::unexpected(mi.error());
  if (*mi && (*mi)->is_object()) {
    for (auto it = (*mi)->begin(); it != (*mi)->end(); ++it) {
      if (!it.value().is_array() || it.key().starts_with("_") || it.key().find('/') != std::string::npos ||
          !is_safe_repo_path(it.key()))
        continue;
      auto got = read_folder(c, client, r, it.key() + "/", it.key());
      if (!got) return std::unexpected(got.error());
    }
    if (!r.tensor_list.empty()) return {};
  }
  if (c.listing) {
    auto models = gguf_models(c);
    if (models.size() == 1) return read_gguf(c, client, r, models[0], "");
    if (models.size() > 1) {
      std::string some;
      for (size_t k = 0; k < models.size() && k < 8; ++k) some += (k ? ", " : "") + models[k];
      return fail(ErrorKind::Usage, fmt::format("{} holds {} GGUF models ({}{}): pick one with --file", c.ref.id,
                                                models.size(), terminal_safe(some, 600),
                                                models.size() > 8 ? ", ..." : ""));
    }
    return fail(ErrorKind::NotFound,
                fmt::format("{}: the repository's {} files hold no safetensors or GGUF weights (memfit reads only "
                            "those headers; pickle .bin files need loading)",
                            c.ref.id, c.listing->size()));
  }
  return fail(ErrorKind::NotFound,
              fmt::format("{}: no model.safetensors(.index.json) or diffusers components found; pass --file for a GGUF "
                          "or another file", c.ref.id));
}

}  // namespace

bool hub_inspect_available() { return true; }

Result<Report> inspect_hub(std::string_view model, const HubInspectOptions& o) {
  auto ho = hub_options(o);
  if (!ho) return std::unexpected(ho.error());
  Ctx c{o, std::move(*ho)};
  auto ref = parse_repo_ref(model, o.revision, c.hub.endpoint);
  if (!ref) return std::unexpected(ref.error());
  c.ref = *ref;
  if (!o.file.empty() && !is_safe_repo_path(o.file))
    return fail(ErrorKind::Usage, fmt::format("--file: `{}` is not a plain relative file path inside the repository",
                                              terminal_safe(o.file, 200)));
  HubClient client(c.hub);
  // What the repository holds. A mirror without the tree API still works, by probing the usual names.
  auto files = client.list_files(c.ref);
  if (files) {
    c.listing.emplace();
    for (auto& f : *files) (*c.listing)[f.path] = f.size;
  } else if (files.error().kind != ErrorKind::Network) {
    return std::unexpected(files.error());
  }
  Report r;
  r.source = c.ref.id;
  r.format = "safetensors";
  auto config = small_json(c, client, "config.json");
  if (!config) return std::unexpected(config.error());
  if (!o.file.empty()) {
    if (!c.has(o.file))
      return fail(ErrorKind::NotFound, fmt::format("{} has no file `{}` at revision `{}`", c.ref.id,
                                                   terminal_safe(o.file, 200), c.ref.revision));
    if (o.file.ends_with(".gguf")) {
      if (auto e = read_gguf(c, client, r, o.file, ""); !e) return std::unexpected(e.error());
    } else if (o.file.ends_with(".index.json")) {
      if (auto e = read_index(c, client, r, o.file, ""); !e) return std::unexpected(e.error());
    } else {
      if (auto e = read_safetensors(c, r, {o.file}, ""); !e) return std::unexpected(e.error());
    }
  } else {
    if (auto e = discover(c, client, r); !e) return std::unexpected(e.error());
  }
  summarize(r, *config ? &**config : nullptr);
  r.fetched_bytes = c.fetched.load();
  return r;
}

#endif

}  // namespace memfit::inspect
