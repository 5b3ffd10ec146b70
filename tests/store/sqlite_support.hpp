#pragma once
// The store tests' view of a SQLite file from outside: another connection, as
// another tool would open it.

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <catch2/catch.hpp>

#include "engine/store.hpp"
#include "support/what_of.hpp"

namespace flow::testing {

/// The store tests' "now": 2026-11-19.
inline const TimePoint kT0 = TimePoint(std::chrono::milliseconds(1'795'000'000'000));

/// Runs `sql` with a separate connection, as another tool would, and returns
/// `read(stmt)` on its first row.
template <typename Read>
inline auto query_one(const std::string& path, const std::string& sql, Read read) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  auto value = read(stmt);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

/// Reads one integer with a separate connection.
inline std::int64_t query_int(const std::string& path, const std::string& sql) {
  return query_one(path, sql, [](sqlite3_stmt* stmt) { return std::int64_t{sqlite3_column_int64(stmt, 0)}; });
}

/// Reads one text with a separate connection.
inline std::string query_text(const std::string& path, const std::string& sql) {
  return query_one(path, sql, [](sqlite3_stmt* stmt) {
    return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  });
}

inline void exec_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

/// The message of the StoreError `action` throws, or "(no StoreError)".
inline std::string store_error_of(const std::function<void()>& action) {
  return what_of<StoreError>(action, "(no StoreError)");
}

}  // namespace flow::testing
