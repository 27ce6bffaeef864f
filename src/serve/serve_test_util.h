// Test-only: a memfit server on a free loopback port for a test's scope, and the stand-in Hub settings it uses.
#pragma once
#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

#include "serve/server.h"
#include "source/catalog.h"
#include "source/fake_hub_test.h"

namespace memfit::serve::testing {

class Running {
 public:
  explicit Running(ServeOptions o) : server_(std::move(o)) {
    auto p = server_.bind();
    port_ = p.value_or(0);
    thread_ = std::thread([this] { server_.run(); });
    httplib::Client c("127.0.0.1", port_);
    for (int i = 0; i < 500 && !c.Get("/healthz"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~Running() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(20, 0);
    return c;
  }

 private:
  Server server_;
  int port_ = 0;
  std::thread thread_;
};

// The server resolving through the stand-in Hub, with a cache of the test's own.
inline ServeOptions hub_options(const memfit::testing::FakeHub& hub, const memfit::testing::TempDir& cache) {
  ServeOptions o;
  o.port = 0;
  o.resolve.use_hub = true;
  o.resolve.endpoint = hub.endpoint();
  o.resolve.cache_dir = cache.str();
  o.hub_timeout_s = 5;
  return o;
}

// A Hub repo holding the catalog's config of `catalog_id`; `sha` is repeated to a 40-character commit.
inline memfit::testing::FakeRepo catalog_repo(const std::string& catalog_id, char sha) {
  memfit::testing::FakeRepo r;
  r.sha = std::string(40, sha);
  r.library_name = "transformers";
  r.files["config.json"] = std::string(find_in_catalog(catalog_id)->config);
  return r;
}

}  // namespace memfit::serve::testing
