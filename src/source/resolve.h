// Where a model's config comes from: a local folder or config.json, else the bundled catalog.
// (The Hub and the user's HF cache slot in here too; this is the one place that knows the resolution order.)
#pragma once
#include <string>
#include <string_view>

#include "core/error.h"

namespace memfit {

struct ModelSource {
  std::string id;           // the model as the user named it
  std::string origin;       // "local" | "catalog" | "hub" | "cache"
  std::string config_text;  // config.json
  std::string config_name;  // file name for error messages
  std::string library_hint; // library the source knows of ("timm" for catalog timm entries), may be empty
};

struct ResolveOptions {
  bool offline = false;
};

Result<ModelSource> resolve_model(std::string_view model, const ResolveOptions& opts = {});

// Reads a whole file of at most `limit` bytes (bad input must not allocate without bound).
Result<std::string> read_file_limited(const std::string& path, size_t limit);

}  // namespace memfit
