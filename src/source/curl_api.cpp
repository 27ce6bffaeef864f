#include "source/curl_api.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <string>

namespace memfit {

namespace {
CurlApi api{};
std::string load_error;
std::atomic<bool> loaded{false};

template <class F>
bool bind(void* lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(::dlsym(lib, name));
  if (!fn) load_error = fmt::format("libcurl lacks `{}`", name);
  return fn != nullptr;
}

void load() {
  void* lib = nullptr;
  std::string tried;
  for (const char* name : {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"}) {
    lib = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib) break;
    const char* e = ::dlerror();
    if (tried.empty() && e) tried = e;
  }
  if (!lib) {
    load_error = fmt::format("libcurl could not be loaded ({}); install libcurl4", tried);
    return;
  }
  bool ok = bind(lib, api.global_init, "curl_global_init") && bind(lib, api.easy_init, "curl_easy_init") &&
            bind(lib, api.easy_cleanup, "curl_easy_cleanup") && bind(lib, api.easy_reset, "curl_easy_reset") &&
            bind(lib, api.easy_setopt, "curl_easy_setopt") && bind(lib, api.easy_perform, "curl_easy_perform") &&
            bind(lib, api.easy_getinfo, "curl_easy_getinfo") && bind(lib, api.slist_append, "curl_slist_append") &&
            bind(lib, api.slist_free_all, "curl_slist_free_all") &&
            bind(lib, api.easy_strerror, "curl_easy_strerror");
  if (!ok) return;
  if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    load_error = "libcurl could not be initialised";
    return;
  }
  loaded = true;
}
}  // namespace

Result<const CurlApi*> curl_api() {
  static std::once_flag once;
  std::call_once(once, load);
  if (!loaded) return fail(ErrorKind::Network, load_error);
  return &api;
}

bool curl_loaded() { return loaded; }

}  // namespace memfit
