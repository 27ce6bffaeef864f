// `memfit serve`: the web page and its JSON API (src/serve/), on loopback unless --host says otherwise.
#include <csignal>
#include <cstdio>

#include "cli/commands.h"
#include "serve/server.h"

namespace memfit::cli {

namespace {
serve::Server* g_server = nullptr;
extern "C" void on_signal(int) {
  if (g_server) g_server->stop();
}

struct Args {
  serve::ServeOptions o;
  bool offline = false;
  bool quiet = false;
};

int run(Args& a) {
  a.o.resolve.use_hub = true;
  a.o.resolve.offline = a.offline;
  if (!a.quiet) a.o.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  serve::Server server(a.o);
  auto port = server.bind();
  if (!port) return report_error(port.error());
  std::string host = a.o.host.find(':') != std::string::npos ? "[" + a.o.host + "]" : a.o.host;
  std::printf("memfit serve: http://%s:%d/\n", host.c_str(), *port);
  std::fflush(stdout);
  g_server = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  server.run();
  g_server = nullptr;
  return 0;
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
