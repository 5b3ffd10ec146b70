#pragma once
// Locks shared by the processes that open one store, on bytes of the store's
// own database file: open-file-description locks on single bytes, one byte per
// name. The kernel releases them when their holder ends, however it ends
// (kill -9 included), so a crash never leaves an instance locked.
//
// On the database file, not on a file beside it: a 0-byte `flow.db.lock`
// looked stale after every stop, and deleting it while a daemon ran let a
// second daemon (and triggers) lock a new file of the same name and spend the
// refresh tokens the first one was rotating. The database file cannot be
// deleted without losing the store anyway (and a store deleted in use fails
// its runs). Sharing the file with SQLite is safe because:
//  - the bytes are at 2^40 and above, far from the ones SQLite locks (from
//    1 GiB, PENDING_BYTE, 512 bytes in all), so neither ever waits for the other;
//  - OFD locks belong to this LockFile's open file description, so SQLite's
//    own unlocks (POSIX locks, which it drops for the whole file at once) and
//    the close of its own descriptors leave them in place;
//  - the other way round, closing this LockFile's descriptor drops the POSIX
//    locks SQLite holds on the file in this process: a LockFile must be
//    destroyed only after the SQLite connection to its file is closed.

#include <cstdint>
#include <string>
#include <string_view>

namespace flow {

class LockFile {
 public:
  /// `path`: the store's database file, which must exist by the first lock.
  /// Nothing is opened until then; an empty path grants every lock.
  explicit LockFile(std::string path) : path_(std::move(path)) {}
  ~LockFile();
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

  /// Takes the lock named `name` if no other holder (process or LockFile) has
  /// it; never waits. Throws StoreError when the file cannot be opened.
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
