#pragma once
// The SQLite store's notes of calls in flight (Store::note_call_sent): one row
// per instance in calls_in_flight, written just before a request goes out and
// deleted by the run's next commit on the instance.

#include <optional>
#include <string>

#include "engine/store.hpp"
#include "engine/store/sqlite_store.hpp"

namespace flow::sqlite {

class Db;
class Operation;

/// Writes `call` (its pid this process's) in its own transaction, replacing
/// the instance's note, without waiting for an fsync: synchronous=NORMAL for
/// that transaction when the store's `durability` is full, restored after.
void note_call_sent(Db& db, const CallInFlight& call, Durability durability);

/// The note on instance `id`; nullopt when none.
std::optional<CallInFlight> call_in_flight(Db& db, const std::string& id);

/// Deletes the note on instance `id`, in the caller's transaction.
void clear_call(Db& db, const std::string& id, const Operation& operation);

}  // namespace flow::sqlite
