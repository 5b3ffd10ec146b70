#include "engine/store/lock_file.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "engine/store.hpp"

namespace flow {

LockFile::~LockFile() {
  if (fd_ >= 0) ::close(fd_);  // releases every lock this LockFile holds
}

std::int64_t LockFile::byte_of(std::string_view name) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (const unsigned char c : name) hash = (hash ^ c) * 1099511628211ull;
  constexpr std::int64_t kFirstByte = std::int64_t{1} << 40;  // far past the bytes SQLite locks
  return kFirstByte + static_cast<std::int64_t>(hash >> 24);   // 40 bits of hash: [2^40, 2^41)
}

bool LockFile::try_lock(std::string_view name) { return set(name, F_WRLCK); }

void LockFile::unlock(std::string_view name) {
  if (fd_ >= 0) set(name, F_UNLCK);
}

bool LockFile::set(std::string_view name, short type) {
  if (path_.empty()) return true;  // a store no other process can open
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);  // a write lock needs a descriptor open for writing
    if (fd_ < 0) throw StoreError("cannot open '" + path_ + "' to lock it: " + std::strerror(errno));
  }
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = byte_of(name);
  lock.l_len = 1;
  if (::fcntl(fd_, F_OFD_SETLK, &lock) == 0) return true;
  if (errno == EAGAIN || errno == EACCES) return false;
  throw StoreError("cannot lock '" + std::string(name) + "' in '" + path_ + "': " + std::strerror(errno));
}

}  // namespace flow
