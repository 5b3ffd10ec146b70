#include "engine/store/sqlite_db.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include "engine/store.hpp"

namespace flow::sqlite {

namespace {

/// The user-facing reason for a failing result code: SQLite's own message, with
/// a plain-words hint for the failures an operator has to act on.
std::string describe(int rc, const char* message) {
  std::string text = message ? message : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return "disk full (" + text + ")";
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return text + " (the file is damaged or is not a Flow database)";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return text + " (another process holds the database lock)";
    default:
      return text;
  }
}

/// What keeps SQLite from making its files at `path` when the cause is the
/// directory, where it says only "unable to open database file" or "attempt
/// to write a readonly database" (of a file that is writable); "" when the
/// directory looks right.
std::string directory_problem(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return "its directory " + dir + " does not exist";
  if (!std::filesystem::is_directory(dir, ec)) return dir + " is not a directory";
  if (::access(dir.c_str(), W_OK) != 0) {
    return "its directory " + dir + " is not writable (" + std::strerror(errno) + "), and SQLite writes " +
           std::filesystem::path(path).filename().string() + "-wal and -shm beside the store";
  }
  return "";
}

/// `file:PATH` with the characters a URI gives a meaning escaped.
std::string file_uri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  for (const char c : path) {
    if (c != '%' && c != '?' && c != '#') {
      uri += c;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    uri += {'%', kHex[byte >> 4], kHex[byte & 0xf]};
  }
  return uri;
}

/// Whether the header of the file at `path` marks it as in WAL mode (the file
/// format's read and write versions, bytes 18 and 19, are 2).
bool in_wal_mode(const std::string& path) {
  std::array<char, 20> header{};
  std::ifstream in(path, std::ios::binary);
  return in.read(header.data(), header.size()) && header[18] == 2 && header[19] == 2;
}

bool directory_writable(const std::string& path) {
  const auto directory = std::filesystem::absolute(path).parent_path();
  return ::access(directory.c_str(), W_OK) == 0;
}

}  // namespace

OpenMode read_only_mode(const std::string& path) {
  if (!in_wal_mode(path)) return OpenMode::read_only;
  std::error_code absent;
  const auto wal_bytes = std::filesystem::file_size(path + "-wal", absent);
  if (absent || wal_bytes == 0) return OpenMode::immutable;
  if (std::filesystem::exists(path + "-shm") || directory_writable(path)) return OpenMode::read_only;
  throw StoreError("store " + path + ": cannot read it: its write-ahead log " + path +
                   "-wal holds commits not yet in the file, and reading them needs " + path +
                   "-shm, which cannot be created in a read-only directory; a flow command that writes (flow run, "
                   "flow trigger) folds the log into the file when it can write there");
}

// ------------------------------------------------------------------ Operation

std::string Operation::str() const {
  std::string text(text_);
  if (subject_) text += " \"" + *subject_ + "\"";
  return text;
}

// ------------------------------------------------------------------ Statement

Statement::Statement(Db& db, sqlite3_stmt* stmt, Operation operation)
    : db_(db), stmt_(stmt), operation_(operation) {}

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  // SQLITE_STATIC: SQLite keeps the pointer, not a copy, until the binding is
  // cleared, which the destructor does. A copy (malloc, memcpy, free) for each
  // of the ten texts a run commit binds showed in its profile.
  int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) db_.fail(rc, operation_);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t number) {
  int rc = sqlite3_bind_int64(stmt_, index, number);
  if (rc != SQLITE_OK) db_.fail(rc, operation_);
  return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> number) {
  int rc = number ? sqlite3_bind_int64(stmt_, index, *number) : sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) db_.fail(rc, operation_);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail(rc, operation_);
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* bytes = sqlite3_column_text(stmt_, column);
  if (!bytes) return {};
  return std::string(reinterpret_cast<const char*>(bytes),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

// ------------------------------------------------------------------------- Db

Db::Db(const std::string& path, OpenMode mode) : path_(path) {
  int rc = SQLITE_OK;
  if (mode == OpenMode::read_write) {
    // The store holds credentials (secret fields are kept so the next run can use
    // them): a new file is readable by its owner only, whatever the umask.
    if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
    rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  } else {
    const std::string uri = file_uri(path) + (mode == OpenMode::immutable ? "?immutable=1" : "?mode=ro");
    rc = sqlite3_open_v2(uri.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  }
  if (rc != SQLITE_OK) {
    // The handle (when allocated) still carries the message; release it after reading.
    std::string detail = describe(rc, db_ ? sqlite3_errmsg(db_) : nullptr);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    if (const auto problem = mode == OpenMode::read_write ? directory_problem(path) : ""; !problem.empty())
      detail += ": " + problem;
    throw StoreError("store " + path + ": cannot open: " + detail);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
}

void Db::fail(int rc, Operation operation) const {
  std::string message = "store " + path_ + ": " + operation.str() + ": " + describe(rc, sqlite3_errmsg(db_));
  if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN) {
    if (const auto problem = directory_problem(path_); !problem.empty()) message += ": " + problem;
  }
  if ((rc & 0xff) == SQLITE_BUSY) throw BusyError(std::move(message));
  throw StoreError(std::move(message));
}

void Db::exec(std::string_view sql, Operation operation) {
  std::string owned(sql);
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, operation);
}

Statement Db::prepare(const std::string& sql, Operation operation) {
  auto found = cache_.find(sql);
  if (found == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) fail(rc, operation);
    found = cache_.emplace(sql, std::unique_ptr<sqlite3_stmt, FinalizeStmt>(raw)).first;
  }
  return Statement(*this, found->second.get(), operation);
}

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

// ---------------------------------------------------------------- Transaction

Transaction::Transaction(Db& db, Operation operation) : db_(db), operation_(operation) {
  db_.prepare("BEGIN IMMEDIATE", operation_).run();  // cached: a run's commit is on the hot path
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.prepare("COMMIT", operation_).run();
  open_ = false;
}

}  // namespace flow::sqlite
