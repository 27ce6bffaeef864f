// memfit serve: the web page (embedded in the binary) and its JSON API over HTTP (cpp-httplib). Routing, parameter
// validation and limits only: every answer comes from the library's front doors (memfit.h, fit/fit.h, report,
// inspect, source, hardware, publish).
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"
#include "source/resolve.h"

namespace memfit::serve {

struct ServeOptions {
  std::string host = "127.0.0.1";  // loopback unless asked otherwise
  int port = 8080;                 // 0: any free port (bind() says which)
  int threads = 8;                 // requests handled at once (a thread pool)
  size_t queue = 64;               // accepted connections waiting for a thread; the accept loop waits beyond it
  size_t max_body = 64 << 10;      // request body bytes (POST /api/publish)
  int io_timeout_s = 10;           // reading a request / writing a response
  int keep_alive_s = 2;            // idle keep-alive connections are closed after this
  double hub_timeout_s = 10;       // one Hub request (resolution, inspect, publish): bounds a request's time
  ResolveOptions resolve;          // where models come from: use_hub, offline, endpoint, cache_dir (no token)
  std::function<void(const std::string&)> log;  // one line per request: method, path (no query), status, ms
};

// HTTP status for an error kind: 400 usage, 404 not found, 422 bad input / unsupported, 502 network, 401 auth.
int http_status(ErrorKind kind);

class Server {
 public:
  explicit Server(ServeOptions opts);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the socket; returns the port (useful with port 0). Network error when the address is taken.
  Result<int> bind();
  // Serves until stop() (blocks). Call after bind().
  void run();
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace memfit::serve
