// Training-memory accuracy benchmark (run by hand): memfit's training terms against published peak memory of real
// fine-tuning runs (references.json beside this file), printed as the README's markdown table.
// usage: memfit_training_accuracy [references.json]
// Rows whose measurement includes the CUDA context (nvidia-smi figures) get memfit's terms plus kCudaContext.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fit/training.h"
#include "memfit.h"
#include "source/catalog.h"

namespace {

constexpr uint64_t kCudaContext = 500ull << 20;  // PyTorch's CUDA context + kernels, about 300-700 MB (PEERS.md)

memfit::TrainingOptions options(const nlohmann::json& j) {
  memfit::TrainingOptions o;
  o.method = j.value("method", o.method);
  o.optimizer = j.value("optimizer", o.optimizer);
  o.precision = j.value("precision", o.precision);
  o.batch = j.value("batch", o.batch);
  o.seq_len = j.value("seq_len", o.seq_len);
  o.grad_checkpointing = j.value("grad_checkpointing", false);
  o.attention = j.value("attention", o.attention);
  o.lora_rank = j.value("lora_rank", o.lora_rank);
  o.lora_targets = j.value("lora_targets", std::vector<std::string>{});
  o.zero = j.value("zero", 0);
  o.offload = j.value("offload", std::string());
  o.fsdp = j.value("fsdp", false);
  o.gpus = j.value("gpus", 1);
  return o;
}

std::string gb(uint64_t b) { return fmt::format("{:.2f}", static_cast<double>(b) / 1e9); }

}  // namespace

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : MEMFIT_TRAINING_REFERENCES;
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 3;
  }
  nlohmann::json refs = nlohmann::json::parse(in, nullptr, false);
  if (refs.is_discarded() || !refs.contains("runs")) {
    std::cerr << path << ": not a references file\n";
    return 4;
  }
  std::cout << "| setting | measured GB | memfit GB | error |\n|---|---:|---:|---:|\n";
  int within = 0, rows = 0;
  double worst = 0;
  for (const auto& r : refs["runs"]) {
    std::string id = r.at("model");
    const memfit::CatalogEntry* e = memfit::find_in_catalog(id);
    if (!e) {
      std::cerr << id << " is not in the catalog\n";
      return 3;
    }
    memfit::ModelSource src{id, "catalog", std::string(e->config), id, std::string(e->library)};
    memfit::EstimateOptions eo;
    eo.target = memfit::Target::TaskModel;
    auto built = memfit::build_model(src, eo);
    if (!built) {
      std::cerr << id << ": " << built.error().message << "\n";
      return 4;
    }
    auto t = memfit::training_terms(*built, nlohmann::json::parse(e->config), options(r.at("options")));
    if (!t) {
      std::cerr << r.at("setting").get<std::string>() << ": " << t.error().message << "\n";
      return 4;
    }
    uint64_t ours = t->gpu_bytes() + (r.value("includes_cuda_context", false) ? kCudaContext : 0);
    uint64_t measured = r.at("measured_bytes");
    double err = (static_cast<double>(ours) - static_cast<double>(measured)) / static_cast<double>(measured);
    ++rows;
    within += std::fabs(err) <= 0.15;
    worst = std::max(worst, std::fabs(err));
    std::cout << fmt::format("| {}{} | {} | {} | {:+.1f}% |\n", r.at("setting").get<std::string>(),
                             r.value("includes_cuda_context", false) ? " (incl. CUDA context)" : "", gb(measured),
                             gb(ours), 100 * err);
  }
  std::cout << fmt::format("\n{} of {} runs within 15%; largest error {:.1f}%.\n", within, rows, 100 * worst);
  return 0;
}
