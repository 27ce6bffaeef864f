// memfit search: the fit verdict over every transformers model of the bundled catalog and the user's HF cache;
// what fits, smallest first.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "fit/engine.h"
#include "source/catalog.h"
#include "source/hf_cache.h"

namespace memfit {

using namespace fitdetail;

namespace {

std::vector<std::string> cached_repos(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (!n.starts_with("models--")) continue;
    std::string id;  // models--org--name -> org/name
    for (size_t i = 8; i < n.size();) {
      if (n.compare(i, 2, "--") == 0) id += '/', i += 2;
      else id += n[i++];
    }
    out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<nlohmann::json> search(const SearchOptions& so) {
  FitOptions o = so.fit;
  o.estimate.resolve.use_hub = true;
  o.estimate.resolve.offline = true;  // search never downloads: catalog and cache only
  o.estimate.resolve.note = nullptr;
  o.estimate.resolve.progress = false;
  if (o.gpu.empty() && o.gpu_memory == 0) return fail(ErrorKind::Usage, "memfit search needs --gpu NAME or --gpu-memory SIZE");
  std::vector<std::pair<std::string, std::string>> models;  // id, origin
  std::set<std::string> seen;
  for (const auto& e : catalog())
    if (e.library == "transformers" && seen.insert(std::string(e.id)).second)
      models.emplace_back(std::string(e.id), "catalog");
  if (so.include_cache) {
    std::string dir = o.estimate.resolve.cache_dir.empty() ? hub_cache_dir() : o.estimate.resolve.cache_dir;
    for (auto& id : cached_repos(dir))
      if (seen.insert(id).second) models.emplace_back(id, "cache");
  }
  Json fits = Json::array();
  size_t checked = 0, skipped = 0;
  Json gpu;
  for (const auto& [id, origin] : models) {
    auto m = load_model(id, o);
    if (!m) {
      ++skipped;
      continue;
    }
    std::vector<std::string> as;
    auto s = make_setting(*m, o, as);
    if (!s) {
      if (s.error().kind == ErrorKind::Usage && s.error().message.find("--tp") == std::string::npos)
        return std::unexpected(s.error());  // a bad option, not this model's
      ++skipped;
      continue;
    }
    if (gpu.is_null())
      gpu = {{"name", s->gpu.gpu.name}, {"count", s->gpus}, {"memory_bytes", s->gpu.gpu.memory_bytes},
             {"usable_bytes", s->gpu.gpu.usable_bytes}};
    auto t = evaluate(*m, *s);
    ++checked;
    if (!t || !t->fits()) continue;
    fits.push_back({{"model", id},
                    {"source", origin},
                    {"architecture", m->architecture},
                    {"parameters", m->parameters},
                    {"context", s->context},
                    {"total_bytes_per_gpu", t->total()},
                    {"headroom_bytes", int64_t(t->budget) - int64_t(t->total())}});
  }
  std::stable_sort(fits.begin(), fits.end(), [](const Json& a, const Json& b) {
    return a["total_bytes_per_gpu"].get<uint64_t>() < b["total_bytes_per_gpu"].get<uint64_t>();
  });
  size_t total_fit = fits.size();
  if (fits.size() > so.limit) fits.erase(fits.begin() + std::ptrdiff_t(so.limit), fits.end());
  return Json{{"gpu", gpu},
              {"engine", o.train ? "hf" : o.engine},
              {"mode", o.train ? "training" : "inference"},
              {"checked", checked},
              {"skipped", skipped},
              {"fitting", total_fit},
              {"results", fits}};
}

}  // namespace memfit
