// Local-file plumbing shared by the checkpoint readers and writers: a range reader over an open file (the same
// interface an HTTP range source offers) and the sparse-file writer tests use to make huge checkpoints cost no disk.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace memfit {

// Reads `len` bytes at `offset` from some source (a local file, an HTTP range); the result may be shorter only at EOF.
using RangeReader = std::function<Result<std::string>(uint64_t offset, uint64_t len)>;

// Opens a regular file and calls `body(reader, file_size)` with a reader over it; the file is closed afterwards.
// Errors: NotFound when it does not exist, BadInput when it cannot be opened (permissions, a symlink loop) or is not
// a regular file (a FIFO is refused without waiting for a writer; /dev/zero without reading it).
Result<void> with_local_file(const std::string& path,
                             const std::function<void(const RangeReader& read, uint64_t file_size)>& body);

// A whole small regular file (a config, an index), at most `limit` bytes, read to its end whatever its stat size
// says (/proc files claim 0 bytes). Errors as with_local_file's, and BadInput past `limit`.
Result<std::string> read_small_file(const std::string& path, size_t limit);

// What a non-regular file is, in words ("a FIFO", "a character device", "a folder", ...).
std::string file_kind(unsigned mode);

// Writes `head` at the start of `path` and extends the file to `head.size() + data_bytes` with a hole (sparse).
Result<void> write_sparse(const std::string& path, std::string_view head, uint64_t data_bytes);

}  // namespace memfit
