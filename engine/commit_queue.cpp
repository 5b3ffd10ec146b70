#include "engine/commit_queue.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace flow {

namespace asio = boost::asio;

asio::awaitable<void> CommitQueue::commit(RunCommit& commit) {
  const auto executor = co_await asio::this_coro::executor;
  auto wake = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  queue_.push_back({&commit, wake});
  if (!flush_posted_) {
    flush_posted_ = true;
    asio::post(executor, [this] { flush(); });
  }
  // flush() cancels the timer once the commit is done; the cancellation is the signal.
  co_await wake->async_wait(asio::as_tuple(asio::use_awaitable));
  if (commit.error) std::rethrow_exception(commit.error);
}

void CommitQueue::flush() {
  flush_posted_ = false;
  std::vector<Waiting> batch = std::move(queue_);
  queue_.clear();
  std::vector<RunCommit*> commits;
  commits.reserve(batch.size());
  for (const auto& waiting : batch) commits.push_back(waiting.commit);
  try {
    store_->commit_runs(commits, clock_->now());
  } catch (...) {  // not a StoreError (those are per commit): still, no waiter may hang
    for (RunCommit* commit : commits) {
      if (!commit->error) commit->error = std::current_exception();
    }
  }
  for (const auto& waiting : batch) waiting.wake->cancel();
}

}  // namespace flow
