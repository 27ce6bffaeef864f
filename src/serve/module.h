// The server as a loadable module. `memfit serve` loads memfit-serve.so (built beside the binary) with dlopen, so
// that every other command starts without mapping cpp-httplib and the TLS and compression libraries Debian builds it
// with (5 ms of every start). The module holds the library and the server; its one exported symbol is the entry
// below, called with the parsed options. Both sides are built from the same tree, so they share these types.
#pragma once
#include <functional>
#include <string>

#include "core/error.h"
#include "serve/server.h"

namespace memfit::serve {

// What the command line hands the module, and what it hands back.
struct ModuleCall {
  ServeOptions options;
  // Called once the socket is bound, with the URL to print.
  std::function<void(const std::string& url)> on_listening;
  Error error;  // set when the entry returns non-zero
};

// The module's entry: binds, reports the URL, serves until SIGINT/SIGTERM; 0 on a clean stop, else 1 with `error`.
using ModuleEntry = int (*)(ModuleCall*);
inline constexpr const char* kModuleEntryName = "memfit_serve_module_run";
inline constexpr const char* kModuleFileName = "memfit-serve.so";

}  // namespace memfit::serve
