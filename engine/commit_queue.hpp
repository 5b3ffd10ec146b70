#pragma once
// Group commit: the runs that reach a commit point in the same turn of the
// io_context are committed together, one transaction and one fsync for all of
// them (Store::commit_runs). A run alone waits for no one: its commit is
// posted and runs as soon as the io_context has handled what was already ready.

#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "engine/clock.hpp"
#include "engine/store.hpp"

namespace flow {

class CommitQueue {
 public:
  /// Both borrowed; used only when a commit comes.
  CommitQueue(Store* store, Clock* clock) : store_(store), clock_(clock) {}

  /// Commits `commit` with whatever else is queued; fills in its revision.
  /// Throws its StoreError when it could not be written.
  boost::asio::awaitable<void> commit(RunCommit& commit);

 private:
  struct Waiting {
    RunCommit* commit;
    boost::asio::any_io_executor executor;             // the waiting run's
    boost::asio::any_completion_handler<void()> resume;  // posted once the commit is done
  };
  void flush();

  Store* store_;
  Clock* clock_;
  std::vector<Waiting> queue_;
  bool flush_posted_ = false;
};

}  // namespace flow
