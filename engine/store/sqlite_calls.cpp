#include "engine/store/sqlite_calls.hpp"

#include <unistd.h>

#include "engine/store/sqlite_db.hpp"

namespace flow::sqlite {

namespace {

/// synchronous=NORMAL while it lives, on a connection whose setting is FULL.
/// In WAL mode NORMAL skips the fsync of a commit and keeps the one of a
/// checkpoint: a power loss may lose the commit, never corrupt the file
/// (OFF would skip the checkpoint's too). A pragma, not a transaction: set
/// between transactions, as SQLite requires.
class RelaxedSync {
 public:
  RelaxedSync(Db& db, Durability durability) : db_(db), relaxed_(durability == Durability::full) {
    if (relaxed_) db_.exec("PRAGMA synchronous = NORMAL", "cannot note a call");
  }
  ~RelaxedSync() {
    if (!relaxed_) return;
    try {
      db_.exec("PRAGMA synchronous = FULL", "cannot note a call");
    } catch (const StoreError&) {  // cannot fail outside a transaction; a destructor must not throw
    }
  }
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;

 private:
  Db& db_;
  bool relaxed_;
};

}  // namespace

void note_call_sent(Db& db, const CallInFlight& call, Durability durability) {
  const Operation operation("cannot note a call sent on instance", call.instance_id);
  const RelaxedSync relaxed(db, durability);
  Transaction transaction(db, operation);
  auto upsert = db.prepare(
      "INSERT OR REPLACE INTO calls_in_flight (instance_id, call, task, handler, pid, sent_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      operation);
  upsert.bind(1, call.instance_id).bind(2, call.call).bind(3, call.task).bind(4, call.handler);
  upsert.bind(5, std::int64_t{::getpid()}).bind(6, std::int64_t{call.sent_at.time_since_epoch().count()}).run();
  transaction.commit();
}

std::optional<CallInFlight> call_in_flight(Db& db, const std::string& id) {
  const Operation operation("cannot read the call in flight on instance", id);
  auto select = db.prepare(
      "SELECT call, task, handler, pid, sent_at FROM calls_in_flight WHERE instance_id = ?1", operation);
  select.bind(1, id);
  if (!select.step()) return std::nullopt;
  return CallInFlight{id, select.text(0), select.text(1), select.text(2), select.int64(3),
                      TimePoint(Duration(select.int64(4)))};
}

void clear_call(Db& db, const std::string& id, const Operation& operation) {
  auto remove = db.prepare("DELETE FROM calls_in_flight WHERE instance_id = ?1", operation);
  remove.bind(1, id).run();
}

}  // namespace flow::sqlite
