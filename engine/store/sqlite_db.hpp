#pragma once
// A thin RAII layer over the SQLite C API, private to engine/store/: one
// connection, a cache of prepared statements, and an IMMEDIATE transaction
// guard that rolls back unless committed. Every failing call becomes a
// flow::StoreError naming the operation and sqlite3_errmsg, so callers never
// look at return codes.

#include <sqlite3.h>

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/store.hpp"

namespace flow::sqlite {

class Db;

/// What the caller is doing, for error messages: `cannot list tasks`, or
/// `cannot save instance "TK-1"` from an action and a subject. It only points
/// at its text, which becomes a message when something fails, so naming every
/// write costs nothing when it succeeds. What it points at must outlive the
/// Statement or Transaction that holds it: a temporary string does not compile.
class Operation {
 public:
  Operation(const char* text) : text_(text) {}
  Operation(const std::string& text) : text_(text) {}
  Operation(std::string&&) = delete;
  /// Rendered `action "subject"`.
  Operation(const char* action, const std::string& subject) : text_(action), subject_(&subject) {}
  Operation(const char*, std::string&&) = delete;

  std::string str() const;

 private:
  std::string_view text_;
  const std::string* subject_ = nullptr;
};

/// SQLITE_BUSY (another connection holds a lock) as its own type, for the few
/// places that may retry it.
class BusyError : public StoreError {
 public:
  using StoreError::StoreError;
};

/// A cached prepared statement in use. Binding and stepping throw StoreError;
/// the destructor resets the statement and clears its bindings so the next
/// user finds it fresh (and read transactions are not held open).
class Statement {
 public:
  Statement(Db& db, sqlite3_stmt* stmt, Operation operation);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds by 1-based index; nullopt binds NULL. Text is bound without a
  /// copy: it must stay valid while this Statement lives (the destructor
  /// clears the bindings), so a temporary string cannot be bound.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::same_as<std::string> auto&& text) = delete;  // a temporary std::string
  Statement& bind(int index, std::int64_t number);
  Statement& bind(int index, std::optional<std::int64_t> number);

  /// Steps once: true when a row is available, false when done.
  bool step();
  /// Steps until done (for statements that return no rows).
  void run();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  std::string text(int column) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_;
  Operation operation_;
};

/// How a connection opens its file.
enum class OpenMode {
  /// Read and write, creating the file (owner-only) when absent.
  read_write,
  /// Read only (SQLite `mode=ro`), with SQLite's locks: safe beside a writer;
  /// a write-ahead log is read through its -shm file, which SQLite creates
  /// when missing.
  read_only,
  /// Read only, the file taken as it is (SQLite `immutable=1`): no lock, and
  /// no -wal or -shm file opened or created. Right only when no write-ahead
  /// log holds commits that the file lacks.
  immutable,
};

/// The mode in which a command that only reads opens the store at `path`, as
/// the file stands: immutable when it is in WAL mode and its log is empty or
/// absent (the file then holds every commit, and nothing needs creating),
/// read_only otherwise. Throws StoreError when the log holds commits and its
/// -shm file is missing and cannot be created (a read-only directory or mount).
OpenMode read_only_mode(const std::string& path);

/// One connection. Not thread-safe: the engine uses it from one io_context thread.
class Db {
 public:
  /// Opens the database file at `path`; read_write creates it when absent.
  explicit Db(const std::string& path, OpenMode mode = OpenMode::read_write);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  /// Runs one or more statements without results (schema, pragmas).
  void exec(std::string_view sql, Operation operation);
  /// A prepared statement for `sql`, compiled once and cached by its text. The
  /// same text must not be prepared again while a previous Statement for it lives.
  /// `operation` names what the caller is doing, for error messages.
  Statement prepare(const std::string& sql, Operation operation);
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  /// Throws StoreError for `rc` (a failing SQLite result code).
  [[noreturn]] void fail(int rc, Operation operation) const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  struct FinalizeStmt {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, FinalizeStmt>> cache_;
};

/// BEGIN IMMEDIATE ... COMMIT. Taking the write lock up front means a writer
/// never fails half-way through on a lock upgrade; the destructor rolls back
/// a transaction that was not committed, so a failure leaves the previous
/// committed state untouched.
class Transaction {
 public:
  Transaction(Db& db, Operation operation);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  Operation operation_;
  bool open_ = true;
};

}  // namespace flow::sqlite
