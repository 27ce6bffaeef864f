#include "source/resolve.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <fstream>

#include "source/catalog.h"

namespace memfit {

namespace fs = std::filesystem;

Result<std::string> read_file_limited(const std::string& path, size_t limit) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return fail(ErrorKind::NotFound, fmt::format("cannot read `{}`: {}", path, ec.message()));
  if (size > limit)
    return fail(ErrorKind::BadInput, fmt::format("`{}` is {} bytes, more than the {} bytes allowed", path, size, limit));
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::NotFound, fmt::format("cannot open `{}`", path));
  std::string data(size, '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<size_t>(in.gcount()) != size) return fail(ErrorKind::BadInput, fmt::format("short read on `{}`", path));
  return data;
}

namespace {
constexpr size_t kConfigLimit = 16 << 20;

Result<ModelSource> from_local(std::string_view model) {
  fs::path p(model);
  std::error_code ec;
  if (fs::is_directory(p, ec)) p /= "config.json";
  auto text = read_file_limited(p.string(), kConfigLimit);
  if (!text) return std::unexpected(text.error());
  return ModelSource{std::string(model), "local", std::move(*text), p.string(), ""};
}
}  // namespace

Result<ModelSource> resolve_model(std::string_view model, const ResolveOptions&) {
  if (model.empty()) return fail(ErrorKind::Usage, "no model given");
  std::error_code ec;
  if (fs::exists(fs::path(model), ec)) return from_local(model);
  if (const CatalogEntry* e = find_in_catalog(model))
    return ModelSource{std::string(model), "catalog", std::string(e->config), std::string(e->id) + "/config.json",
                       std::string(e->library)};
  return fail(ErrorKind::NotFound,
              fmt::format("model `{}` is not a local path and not in the bundled catalog; closest catalog ids: {}",
                          model, fmt::join(closest_ids(model), ", ")));
}

}  // namespace memfit
