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

std::string file_kind(unsigned mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

namespace {
// Opens `path` for reading without blocking (a FIFO would wait for a writer) and checks it is a regular file.
Result<int> open_regular(const std::string& path, struct stat& st) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR)
      return fail(ErrorKind::NotFound, fmt::format("{}: no such file", path));
    return fail(ErrorKind::BadInput, fmt::format("{}: cannot open: {}", path,
                                                 e == ELOOP ? "too many levels of symbolic links (a symlink loop?)"
                                                            : std::strerror(e)));
  }
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorKind::BadInput, fmt::format("{}: not a regular file ({})", path, file_kind(st.st_mode)));
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}
}  // namespace

Result<void> with_local_file(const std::string& path,
                             const std::function<void(const RangeReader& read, uint64_t file_size)>& body) {
  struct stat st{};
  auto fd = open_regular(path, st);
  if (!fd) return std::unexpected(fd.error());
  RangeReader rd = [fd = *fd, &path](uint64_t off, uint64_t len) { return pread_all(fd, off, len, path); };
  body(rd, static_cast<uint64_t>(st.st_size));
  ::close(*fd);
  return {};
}

Result<std::string> read_small_file(const std::string& path, size_t limit) {
  struct stat st{};
  auto fd = open_regular(path, st);
  if (!fd) return std::unexpected(fd.error());
  if (static_cast<uint64_t>(st.st_size) > limit) {
    ::close(*fd);
    return fail(ErrorKind::BadInput, fmt::format("{}: {} bytes, more than the {} bytes allowed", path,
                                                 static_cast<uint64_t>(st.st_size), limit));
  }
  // Read to the end (up to limit + 1 bytes): /proc and similar files report a size of 0 but have content.
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t r = ::read(*fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(*fd);
      return fail(ErrorKind::BadInput, fmt::format("{}: read error: {}", path, std::strerror(e)));
    }
    if (r == 0) break;
    data.append(buf, static_cast<size_t>(r));
    if (data.size() > limit) {
      ::close(*fd);
      return fail(ErrorKind::BadInput, fmt::format("{}: more than the {} bytes allowed", path, limit));
    }
  }
  ::close(*fd);
  return data;
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
