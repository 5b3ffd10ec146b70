#pragma once
// The SQLite store's schema, as the steps that build it: a file is migrated
// from its version to kSqliteSchemaVersion one step at a time; and how a
// connection is set up (WAL, durability) before it is used.

#include <array>
#include <string_view>

#include "engine/store/sqlite_store.hpp"

namespace flow {

/// Step N takes the schema from version N to N + 1.
extern const std::array<std::string_view, kSqliteSchemaVersion> kMigrations;

namespace sqlite {
class Db;
}

/// WAL mode (retried while another process switches it), synchronous as
/// `options` say, foreign keys, the page cap.
void configure_connection(sqlite::Db& db, const SqliteOptions& options);
/// Migrates `db` to kSqliteSchemaVersion, one step per transaction; refuses a
/// newer schema. Returns the version it found (0 for a new file).
int migrate(sqlite::Db& db);
/// A read-only connection cannot migrate: a file of an older schema is
/// refused, saying what will migrate it.
void check_current_schema(sqlite::Db& db);

}  // namespace flow
