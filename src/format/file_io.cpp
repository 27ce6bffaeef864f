#include "format/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace memfit {

namespace {
Result<std::string> pread_all(int fd, uint64_t off, uint64_t len, const std::string& path) {
  std::string buf(len, '\0');
  uint64_t got = 0;
  while (got < len) {
    ssize_t r = ::pread(fd, buf.data() + got, len - got, static_cast<off_t>(off + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorKind::BadInput, fmt::format("{}: read error: {}", path, std::strerror(errno)));
    }
    if (r == 0) break;
    got += static_cast<uint64_t>(r);
  }
  buf.resize(got);
  return buf;
}
}  // namespace

Result<void> with_local_file(const std::string& path,
                             const std::function<void(const RangeReader& read, uint64_t file_size)>& body) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(errno == ENOENT ? ErrorKind::NotFound : ErrorKind::BadInput,
                fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorKind::BadInput, fmt::format("{}: not a regular file", path));
  }
  RangeReader rd = [fd, &path](uint64_t off, uint64_t len) { return pread_all(fd, off, len, path); };
  body(rd, static_cast<uint64_t>(st.st_size));
  ::close(fd);
  return {};
}

Result<void> write_sparse(const std::string& path, std::string_view head, uint64_t data_bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(ErrorKind::BadInput, fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  bool ok = ::write(fd, head.data(), head.size()) == static_cast<ssize_t>(head.size()) &&
            ::ftruncate(fd, static_cast<off_t>(head.size() + data_bytes)) == 0;
  ::close(fd);
  if (!ok) return fail(ErrorKind::BadInput, fmt::format("{}: write failed: {}", path, std::strerror(errno)));
  return {};
}

}  // namespace memfit
