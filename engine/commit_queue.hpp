#pragma once
// Group commit: the runs that reach a commit point in the same turn of the
// io_context are committed together, one transaction and one fsync for all of
// them (Store::commit_runs). A run alone waits for no one: when no other run is
// in flight its commit is written at once, without suspending; otherwise it is
// posted and runs as soon as the io_context has handled what was already ready.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "engine/clock.hpp"
#include "engine/store.hpp"

namespace flow {

/// "what calls mapped into ID (NAMES)": how messages name values kept for an
/// instance (names only, never values).
std::string what_mapped_into(const std::string& id, const std::string& names);

/// What writing back the values kept for an instance did.
struct WriteBack {
  FieldMap written;                  // stored now
  std::vector<std::string> dropped;  // changed in the store since: its value stays, the kept one is dropped
  /// "what calls mapped into ID (A, B) is not written: changed in the store
  /// since ...": names only, never values; empty when none was dropped.
  std::string dropped_note(const std::string& id) const;
};

class CommitQueue {
 public:
  /// Both borrowed; used only when a commit comes.
  CommitQueue(Store* store, Clock* clock) : store_(store), clock_(clock) {}

  /// Commits `commit` with whatever else is queued (at once, without
  /// suspending, when no other run is in flight); fills in its revision.
  /// Throws its StoreError when it could not be written.
  boost::asio::awaitable<void> commit(RunCommit& commit);

  /// Keeps what calls mapped into instance `id` in a run that could not
  /// commit it (disk full): a rotated refresh token may exist nowhere else.
  /// `revision`: the stored revision the run loaded or last committed. The
  /// caller still holds the instance's lock, so the store holds what the run
  /// loaded or last committed: what it holds in those fields now is their
  /// base, the values a later write-back expects to find there. When the
  /// store cannot be read now, `stored` is: the fields the run knows the
  /// store holds at `revision` (RunState::stored), if it knows them.
  void keep_unwritten(const std::string& id, const std::string& process, std::int64_t revision,
                      const FieldMap& fields, const std::optional<FieldMap>& stored);
  /// Writes what is kept for `id` (nothing if nothing is) into the fields the
  /// store has not changed since (Store::write_back_fields); what it kept for
  /// a field changed since (a fresh refresh token the user put in) is
  /// dropped: the store's value is newer. The caller holds the instance's
  /// lock. Throws the store's StoreError, still keeping all of it, when the
  /// store cannot write it yet.
  WriteBack write_unwritten(const std::string& id);
  /// write_unwritten for a run or `start` on `id` about to call out: its
  /// StoreError says that no call is made on `id` until the values are stored.
  WriteBack write_unwritten_before_call(const std::string& id);
  /// What is kept and not written yet, per instance: "what calls mapped into
  /// ID (A, B)", for messages (names only, never values).
  std::map<std::string, std::string> unwritten() const;
  /// Whether values of `id` are kept, not written yet.
  bool keeps(const std::string& id) const { return unwritten_.contains(id); }

 private:
  struct Waiting {
    RunCommit* commit;
    boost::asio::any_io_executor executor;             // the waiting run's
    boost::asio::any_completion_handler<void()> resume;  // posted once the commit is done
  };
  void flush();
  /// One store call for `commits`; a failure the store did not assign to a
  /// commit (not a StoreError) is given to all of them, so no waiter hangs.
  void write(const std::vector<RunCommit*>& commits);

  /// What the store holds now in each of `fields` of instance `id` (null for
  /// one it lacks); nullopt when it cannot be read.
  std::optional<FieldMap> stored_values(const std::string& id, const FieldMap& fields) const;
  /// What `stored` (an instance's fields; null: no instance) holds in each of `fields`.
  static FieldMap values_in(const FieldMap* stored, const FieldMap& fields);

  Store* store_;
  Clock* clock_;
  std::map<std::string, KeptFields> unwritten_;
  std::vector<Waiting> queue_;
  bool flush_posted_ = false;
  int in_flight_ = 0;  // runs asked for and not ended (RunInFlight)
  friend class RunInFlight;
};

/// Counts one run as in flight from the moment it is asked for (before its
/// coroutine first runs) until it ends: a commit from the only run in flight
/// has no one to share a batch with, while runs spawned together do share one.
class RunInFlight {
 public:
  explicit RunInFlight(CommitQueue& queue) : queue_(&queue) { ++queue_->in_flight_; }
  RunInFlight(RunInFlight&& other) noexcept : queue_(std::exchange(other.queue_, nullptr)) {}
  RunInFlight(const RunInFlight&) = delete;
  RunInFlight& operator=(const RunInFlight&) = delete;
  RunInFlight& operator=(RunInFlight&&) = delete;
  ~RunInFlight() {
    if (queue_) --queue_->in_flight_;
  }

 private:
  CommitQueue* queue_;
};

}  // namespace flow
