// libFuzzer target: the safetensors header reader (length prefix + JSON validation) on arbitrary file bytes.
#include <cstdint>
#include <string>

#include "format/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file(reinterpret_cast<const char*>(data), size);
  memfit::safetensors::RangeReader rd = [&](uint64_t off, uint64_t len) -> memfit::Result<std::string> {
    if (off >= file.size()) return std::string();
    return file.substr(off, len);
  };
  auto h = memfit::safetensors::read_header(rd, file.size(), "fuzz");
  if (h) {
    uint64_t sum = 0;
    for (const auto& t : h->tensors) sum += t.bytes();
    if (sum != h->data_bytes) __builtin_trap();  // accepted headers tile the data region exactly
  }
  return 0;
}
