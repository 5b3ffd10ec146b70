#pragma once
// The SQLite store's schema, as the steps that build it: a file is migrated
// from its version to kSqliteSchemaVersion one step at a time.

#include <array>
#include <string_view>

#include "engine/store/sqlite_store.hpp"

namespace flow {

/// Step N takes the schema from version N to N + 1.
extern const std::array<std::string_view, kSqliteSchemaVersion> kMigrations;

}  // namespace flow
