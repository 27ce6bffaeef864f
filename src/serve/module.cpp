// memfit-serve.so's entry (serve/module.h): the server's run loop with its signal handling, behind one C symbol.
#include "serve/module.h"

#include <csignal>

namespace {

memfit::serve::Server* g_server = nullptr;
extern "C" void stop_on_signal(int) {
  if (g_server) g_server->stop();
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int memfit_serve_module_run(memfit::serve::ModuleCall* call) {
  using namespace memfit::serve;
  Server server(call->options);
  auto port = server.bind();
  if (!port) {
    call->error = port.error();
    return 1;
  }
  const std::string& h = call->options.host;
  std::string host = h.find(':') != std::string::npos ? "[" + h + "]" : h;
  if (call->on_listening) call->on_listening("http://" + host + ":" + std::to_string(*port) + "/");
  g_server = &server;
  std::signal(SIGINT, stop_on_signal);
  std::signal(SIGTERM, stop_on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  server.run();
  g_server = nullptr;
  return 0;
}
