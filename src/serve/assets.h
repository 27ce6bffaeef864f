// The page's files (src/serve/page/), compiled into the binary by tools/embed_assets.cpp.
#pragma once
#include <span>
#include <string_view>

namespace memfit::serve {

struct Asset {
  std::string_view path;          // URL path, e.g. "/app.js" ("/index.html" is also served at "/")
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

std::span<const Asset> page_assets();

}  // namespace memfit::serve
