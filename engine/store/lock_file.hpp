#pragma once
// Locks shared by the processes that open one store, on a file beside it
// (`flow.db.lock`): open-file-description locks on single bytes, one byte per
// name. The kernel releases them when their holder ends, however it ends
// (kill -9 included), so a crash never leaves an instance locked.

#include <cstdint>
#include <string>
#include <string_view>

namespace flow {

class LockFile {
 public:
  /// Nothing is opened until the first lock; an empty path grants every lock.
  explicit LockFile(std::string path) : path_(std::move(path)) {}
  ~LockFile();
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

  /// Takes the lock named `name` if no other holder (process or LockFile) has
  /// it; never waits. Throws StoreError when the lock file cannot be opened.
  bool try_lock(std::string_view name);
  void unlock(std::string_view name);

 private:
  /// The byte a name locks (names that collide only serialize more than needed).
  static std::int64_t byte_of(std::string_view name);
  bool set(std::string_view name, short type);

  std::string path_;
  int fd_ = -1;
};

}  // namespace flow
