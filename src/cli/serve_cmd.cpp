// `memfit serve`: the web page and its JSON API (src/serve/), on loopback unless --host says otherwise. The server
// lives in memfit-serve.so beside the binary (serve/module.h), loaded only by this command.
#include <dlfcn.h>

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "serve/module.h"

namespace memfit::cli {

namespace {

struct Args {
  serve::ServeOptions o;
  bool offline = false;
  bool quiet = false;
};

// The directory of the running binary, where the build leaves memfit-serve.so.
std::string binary_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

int run(Args& a) {
  a.o.resolve.use_hub = true;
  a.o.resolve.offline = a.offline;
  if (!a.quiet) a.o.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  std::string path = binary_dir() + "/" + serve::kModuleFileName;
  void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module) {
    const char* why = dlerror();
    return report_error({ErrorKind::NotFound, "the web server module `" + path + "` could not be loaded (" +
                                                  std::string(why ? why : "unknown reason") +
                                                  "): it is built beside the binary by `make memfit`"});
  }
  auto entry = reinterpret_cast<serve::ModuleEntry>(dlsym(module, serve::kModuleEntryName));
  if (!entry)
    return report_error({ErrorKind::Internal, "the web server module `" + path + "` has no entry point"});
  serve::ModuleCall call{a.o, [](const std::string& url) {
                           std::printf("memfit serve: %s\n", url.c_str());
                           std::fflush(stdout);
                         },
                         {}};
  return entry(&call) == 0 ? 0 : report_error(call.error);
}
}  // namespace

Command add_serve(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* sub = app.add_subcommand("serve", "Serve the web page and its JSON API (http://127.0.0.1:8080/)");
  sub->add_option("--host", a->o.host, "Address to listen on (default 127.0.0.1: this machine only)");
  sub->add_option("--port", a->o.port, "Port (default 8080; 0: any free port, printed at start)")
      ->check(CLI::Range(0, 65535));
  sub->add_option("--threads", a->o.threads, "Requests handled at once (default 8)")->check(CLI::Range(1, 256));
  sub->add_option("--timeout", a->o.hub_timeout_s, "Seconds one Hub request may take (default 10)")
      ->check(CLI::Range(0.1, 120.0));
  sub->add_flag("--offline", a->offline, "Never use the network: the HF cache, then the bundled catalog");
  sub->add_flag("--quiet", a->quiet, "No request log on stderr");
  return {sub, [a] { return run(*a); }};
}

}  // namespace memfit::cli
