// Bounded loopback load test of `memfit serve`: N keep-alive clients send GET requests to one URL for a few seconds;
// prints requests/s, latency percentiles and errors. usage: memfit_load PORT PATH [CLIENTS=8] [SECONDS=5]
// Only 127.0.0.1 is ever contacted. Run by bench/serve_load.sh.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: memfit_load PORT PATH [CLIENTS] [SECONDS]\n");
    return 2;
  }
  int port = std::atoi(argv[1]);
  std::string path = argv[2];
  int clients = argc > 3 ? std::clamp(std::atoi(argv[3]), 1, 256) : 8;
  double seconds = argc > 4 ? std::clamp(std::atof(argv[4]), 0.5, 60.0) : 5;
  using clock = std::chrono::steady_clock;
  std::atomic<bool> stop{false};
  std::atomic<long> errors{0};
  std::vector<std::vector<double>> lat(static_cast<size_t>(clients));
  std::vector<std::thread> ts;
  auto start = clock::now();
  for (int c = 0; c < clients; ++c)
    ts.emplace_back([&, c] {
      httplib::Client cl("127.0.0.1", port);
      cl.set_keep_alive(true);
      cl.set_read_timeout(10, 0);
      auto& l = lat[static_cast<size_t>(c)];
      l.reserve(1 << 16);
      while (!stop.load(std::memory_order_relaxed)) {
        auto t0 = clock::now();
        auto r = cl.Get(path);
        auto t1 = clock::now();
        if (!r || r->status != 200 || r->body.empty()) ++errors;
        l.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : ts) t.join();
  double elapsed = std::chrono::duration<double>(clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))]; };
  std::printf("clients %d, %.1f s: %zu requests, %.0f req/s, errors %ld, latency ms p50 %.3f p90 %.3f p99 %.3f max %.3f\n",
              clients, elapsed, all.size(), all.size() / elapsed, errors.load(), pct(0.5), pct(0.9), pct(0.99),
              all.empty() ? 0.0 : all.back());
  return errors.load() == 0 ? 0 : 1;
}
