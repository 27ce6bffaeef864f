// Reads a Hub repository's checkpoint headers with Range requests (huggingface_hub's get_safetensors_metadata and
// hf-mem do the same): model.safetensors.index.json -> shards, else model.safetensors; diffusers components from
// model_index.json; a named .gguf file. Weights are never downloaded.
#include "inspect/hub_inspect.h"

#include <fmt/format.h>

#ifdef MEMFIT_HAS_HUB
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <mutex>

#include "format/config.h"
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

struct Ctx {
  const HubInspectOptions& o;
  HubOptions hub;
  RepoRef ref;
  std::atomic<uint64_t> fetched{0};
};

HubOptions hub_options(const HubInspectOptions& o) {
  HubOptions h;
  h.endpoint = o.endpoint.empty() ? hub_endpoint() : o.endpoint;
  Token t = o.env_token ? find_token(o.token) : Token{o.token, "the request's token"};
  h.token = t.value;
  h.token_source = t.source;
  h.connect_timeout_s = o.connect_timeout_s;
  h.timeout_s = o.timeout_s;
  return h;
}

// A small JSON side file (index, config, model_index), or nullopt when the repo does not have it.
// Side files are cached in the HF cache like any Hub download (huggingface_hub's layout), so a second run reads them
// from disk. Headers are byte ranges of weight files and have no place in that layout: they are fetched each time.
Result<std::optional<Json>> small_json(Ctx& c, HubClient& client, const std::string& file) {
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

safetensors::RangeReader ranged(Ctx& c, HubClient& client, const std::string& file) {
  return [&c, &client, file](uint64_t off, uint64_t len) -> Result<std::string> {
    auto r = client.download_range(c.ref, file, off, len);
    if (r) c.fetched += r->size();
    return r;
  };
}

// Reads the safetensors headers of `files` (repo paths) in parallel, each with its own client.
Result<void> read_safetensors(Ctx& c, Report& r, const std::vector<std::string>& files, const std::string& component) {
  std::vector<Result<safetensors::Header>> out(files.size(), fail(ErrorKind::Internal, "not read"));
  std::atomic<size_t> next{0};
  // A progress line on a terminal when reading takes longer than half a second; nothing otherwise.
  const bool tty = ::isatty(2) != 0;
  const auto start = std::chrono::steady_clock::now();
  std::atomic<size_t> done{0};
  std::mutex print;
  bool printed = false;
  auto worker = [&] {
    HubClient client(c.hub);
    for (size_t k; (k = next++) < files.size();) {
      out[k] = safetensors::read_header(ranged(c, client, files[k]), std::nullopt, c.ref.id + "/" + files[k]);
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
  for (size_t k = 0; k < files.size(); ++k) {
    if (!out[k]) return std::unexpected(out[k].error());
    const auto& h = *out[k];
    r.files.push_back({files[k], 8 + h.header_bytes + h.data_bytes, 8 + h.header_bytes, h.tensors.size(), component});
    for (const auto& t : h.tensors)
      r.tensor_list.push_back({t.name, t.dtype, t.shape, t.elements, t.bytes(), t.elements, false, false, component});
  }
  return {};
}

// One checkpoint under `dir` ("" = repo root): its index's shards, or the single file.
Result<bool> read_checkpoint(Ctx& c, HubClient& client, Report& r, const std::string& dir, const std::string& component) {
  const std::string p = dir.empty() ? "" : dir + "/";
  for (const char* stem : {"model", "diffusion_pytorch_model"}) {
    auto idx = small_json(c, client, p + stem + ".safetensors.index.json");
    if (!idx) return std::unexpected(idx.error());
    if (*idx) {
      const Json& j = **idx;
      if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
        return fail(ErrorKind::BadInput, fmt::format("{}/{}{}.safetensors.index.json: no `weight_map` object",
                                                     c.ref.id, p, stem));
      std::vector<std::string> shards;
      for (const auto& v : j["weight_map"])
        if (v.is_string()) shards.push_back(p + v.get<std::string>());
      std::sort(shards.begin(), shards.end());
      shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
      if (j.contains("metadata") && j["metadata"].is_object() && j["metadata"].contains("total_size") &&
          j["metadata"]["total_size"].is_number_unsigned())
        r.index_total_size = r.index_total_size.value_or(0) + j["metadata"]["total_size"].get<uint64_t>();
      if (auto e = read_safetensors(c, r, shards, component); !e) return std::unexpected(e.error());
      return true;
    }
    // No index: the single file, if there is one.
    auto one = read_safetensors(c, r, {p + stem + ".safetensors"}, component);
    if (one) return true;
    if (one.error().kind != ErrorKind::NotFound) return std::unexpected(one.error());
  }
  return false;
}

}  // namespace

bool hub_inspect_available() { return true; }

Result<Report> inspect_hub(std::string_view model, const HubInspectOptions& o) {
  Ctx c{o, hub_options(o), {}, {}};
  auto ref = parse_repo_ref(model, o.revision, c.hub.endpoint);
  if (!ref) return std::unexpected(ref.error());
  c.ref = *ref;
  HubClient client(c.hub);
  Report r;
  r.source = c.ref.id;
  r.format = "safetensors";
  auto config = small_json(c, client, "config.json");
  if (!config) return std::unexpected(config.error());
  if (!o.file.empty()) {
    if (o.file.ends_with(".gguf")) {
      r.format = "gguf";
      // The Hub tells no size through a range read: the reader checks counts against what it can read.
      gguf::Limits lim;
      lim.read_ahead = 64u << 10;
      auto f = gguf::read(ranged(c, client, o.file), UINT64_MAX / 2, c.ref.id + "/" + o.file, lim);
      if (!f) return std::unexpected(f.error());
      r.files.push_back({o.file, 0, f->data_offset, f->tensors.size(), ""});
      for (const auto& t : f->tensors) {
        std::vector<int64_t> shape(t.dims.begin(), t.dims.end());
        r.tensor_list.push_back({t.name, std::string(t.type_name), shape, t.elements, t.bytes, t.elements, false,
                                 false, ""});
      }
      auto a = gguf::arch_info(*f);
      GgufInfo g;
      g.version = f->version;
      g.architecture = a.architecture;
      g.file_type = a.file_type ? gguf::file_type_name(*a.file_type) : "";
      g.alignment = f->alignment;
      g.hyperparameters = Json::object();
      if (a.block_count) g.hyperparameters["block_count"] = *a.block_count;
      if (a.expert_count) g.hyperparameters["expert_count"] = *a.expert_count;
      if (a.expert_used_count) g.hyperparameters["expert_used_count"] = *a.expert_used_count;
      if (a.head_count_kv.size() == 1) g.hyperparameters["head_count_kv"] = a.head_count_kv[0];
      else if (!a.head_count_kv.empty()) g.hyperparameters["head_count_kv"] = a.head_count_kv;
      r.gguf = std::move(g);
    } else if (o.file.ends_with(".index.json")) {
      auto dir = o.file.find('/') == std::string::npos ? std::string() : o.file.substr(0, o.file.rfind('/'));
      auto ok = read_checkpoint(c, client, r, dir, "");
      if (!ok) return std::unexpected(ok.error());
    } else {
      if (auto e = read_safetensors(c, r, {o.file}, ""); !e) return std::unexpected(e.error());
    }
  } else {
    auto ok = read_checkpoint(c, client, r, "", "");
    if (!ok) return std::unexpected(ok.error());
    if (!*ok) {
      // diffusers: the components model_index.json lists.
      auto mi = small_json(c, client, "model_index.json");
      if (!mi) return std::unexpected(mi.error());
      if (*mi && (*mi)->is_object()) {
        for (auto it = (*mi)->begin(); it != (*mi)->end(); ++it) {
          if (!it.value().is_array() || it.key().starts_with("_") || it.key().find('/') != std::string::npos ||
              it.key().find("..") != std::string::npos)
            continue;
          auto got = read_checkpoint(c, client, r, it.key(), it.key());
          if (!got) return std::unexpected(got.error());
        }
      }
      if (r.tensor_list.empty())
        return fail(ErrorKind::NotFound,
                    fmt::format("{}: no model.safetensors(.index.json) or diffusers components found; pass --file "
                                "for a GGUF or another file", c.ref.id));
    }
  }
  summarize(r, *config ? &**config : nullptr);
  r.fetched_bytes = c.fetched.load();
  return r;
}

#endif

}  // namespace memfit::inspect
