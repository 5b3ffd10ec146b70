#pragma once
// The embedded store: one SQLite file in WAL mode with synchronous=FULL by
// default, so a committed write (a rotated refresh token) survives a crash or
// power loss (SqliteOptions::durability relaxes that on request).
// Every write is one IMMEDIATE transaction; a failure rolls it back and leaves
// the previous committed state as it was. Every SQLite failure is a
// flow::StoreError naming the file, the operation and SQLite's message.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/store.hpp"

namespace flow {

/// When a commit returns.
enum class Durability {
  /// After an fsync (synchronous=FULL): a committed write survives a crash of
  /// flow, of the operating system and a power loss. The default.
  full,
  /// After the write reached the operating system, without waiting for the
  /// disk (synchronous=NORMAL in WAL mode): a committed write survives a crash
  /// or kill -9 of flow, not an OS crash or power loss, which may lose the
  /// last commits (never corrupt the file). Much faster on disks where an
  /// fsync costs milliseconds.
  relaxed,
};

/// Knobs of the SQLite store; the defaults suit the daemon.
struct SqliteOptions {
  Durability durability = Durability::full;
  /// How long a write waits for another process's lock before failing.
  std::chrono::milliseconds busy_timeout{5000};
  /// Caps the file at this many pages (SQLITE_FULL past it); tests use it to
  /// provoke "disk full" without filling a disk.
  std::optional<std::int64_t> max_pages;
  /// Run history kept per task (the ad-hoc runs of `flow trigger` count as one
  /// task): the newest this many; 0 keeps every run. A daemon refreshing a
  /// token forever must not grow its file forever.
  std::int64_t keep_runs = kDefaultKeepRuns;
  static constexpr std::int64_t kDefaultKeepRuns = 1000;
  /// For a command that only reads (`flow instances`, `flow tasks list`): the
  /// file is opened as it is, never created, migrated or switched to WAL, and
  /// left byte for byte as it was, with no -wal or -shm file created while its
  /// write-ahead log is empty; so it can be read on a read-only file or mount.
  /// An older schema is refused (migrate_sqlite_store, or opening it to write,
  /// migrates it); every write throws StoreError.
  bool read_only = false;
};

/// A task's older runs are deleted in the transaction that records its first
/// run on a connection and then every this many of its runs there: a daemon's
/// task holds at most keep_runs plus this many, and a prune costs one index
/// walk. (Each `flow trigger` prunes on its run.)
inline constexpr std::int64_t kPruneEveryRuns = 64;

/// Below this much free space on its disk, the store refuses to let a call
/// go out (Store::ensure_writable): its answer might not be storable.
inline constexpr std::uint64_t kMinFreeBytes = 1024 * 1024;

/// The schema version this build writes; older files are migrated on open,
/// newer ones are refused.
inline constexpr int kSqliteSchemaVersion = 4;

/// The schema versions a migration went from and to (the same when there was nothing to do).
struct SchemaMigration {
  int from = 0;
  int to = 0;
};

/// Migrates the schema of the store at `path`, which must exist, and does
/// nothing else (`flow store migrate`): what the commands that write do when
/// they open it. Throws StoreError when it does not exist, cannot be opened,
/// is not a database, or was written by a newer Flow.
SchemaMigration migrate_sqlite_store(const std::string& path, const SqliteOptions& options = {});

/// Opens (creating if absent) the store at `path` and migrates its schema, or
/// with `read_only` opens it as it is. Throws StoreError when the file cannot be
/// opened, is not a database, or was written by a newer Flow.
std::unique_ptr<Store> open_sqlite_store(const std::string& path, const SqliteOptions& options = {});

}  // namespace flow
