// libFuzzer target: the GGUF reader (header, typed metadata, tensor infos) and the architecture view on it.
#include <cstdint>
#include <string>

#include "format/gguf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file(reinterpret_cast<const char*>(data), size);
  memfit::gguf::RangeReader rd = [&](uint64_t off, uint64_t len) -> memfit::Result<std::string> {
    if (off >= file.size()) return std::string();
    return file.substr(off, len);
  };
  auto f = memfit::gguf::read(rd, file.size(), "fuzz");
  if (f) {
    auto a = memfit::gguf::arch_info(*f);
    if (a.file_type) (void)memfit::gguf::file_type_name(*a.file_type);
    for (const auto& [k, v] : f->metadata) (void)v.brief(), (void)v.as_ints();
    for (const auto& t : f->tensors)
      if (t.offset + t.bytes > f->file_size - f->data_offset) __builtin_trap();  // accepted tensors lie in the file
  }
  return 0;
}
