#include "tree/module.h"

#include "format/config.h"

namespace memfit {

uint64_t Tensor::numel() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d < 0 ? 0 : d);
  return n;
}

Module& Module::param(std::string name, std::vector<int64_t> shape, DType dtype) {
  params.emplace_back(std::move(name), Tensor{std::move(shape), dtype, true, {}});
  return *this;
}

Module& Module::buffer(std::string name, std::vector<int64_t> shape, DType dtype, bool persistent) {
  buffers.emplace_back(std::move(name), Tensor{std::move(shape), dtype, persistent, {}});
  return *this;
}

Module& Module::tie(std::string name, std::vector<int64_t> shape, std::string tied_to) {
  params.emplace_back(std::move(name), Tensor{std::move(shape), DType::F32, true, std::move(tied_to)});
  return *this;
}

ModulePtr Module::add(std::string name, ModulePtr c) {
  children.emplace_back(std::move(name), c);
  return c;
}

ModulePtr Module::child(std::string_view name) const {
  for (const auto& [n, c] : children)
    if (n == name) return c;
  return nullptr;
}

ModulePtr make(std::string cls) { return std::make_shared<Module>(std::move(cls)); }

int64_t checked_count(int64_t n, const char* what) {
  if (n < 0 || n > kMaxRepeat)
    throw ConfigError(std::string("a ") + what + " of " + std::to_string(n) + " is not plausible (at most " +
                      std::to_string(kMaxRepeat) + ")");
  return n;
}

ModulePtr repeat(ModulePtr block, int64_t n, std::string cls) {
  checked_count(n);
  auto list = make(std::move(cls));
  for (int64_t k = 0; k < n; ++k) list->add(std::to_string(k), block);
  return list;
}

ModulePtr module_list(std::vector<ModulePtr> blocks, std::string cls) {
  auto list = make(std::move(cls));
  for (size_t k = 0; k < blocks.size(); ++k) list->add(std::to_string(k), blocks[k]);
  return list;
}

}  // namespace memfit
