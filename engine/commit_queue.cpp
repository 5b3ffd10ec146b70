#include "engine/commit_queue.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace flow {

namespace asio = boost::asio;

asio::awaitable<void> CommitQueue::commit(RunCommit& commit) {
  if (queue_.empty() && in_flight_ <= 1) {  // no other run could join the batch
    write({&commit});
    if (commit.error) std::rethrow_exception(commit.error);
    co_return;
  }
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  // Suspends with the run's completion handler queued; flush() posts it back.
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [this, &commit, executor](auto handler) {
        queue_.push_back({&commit, executor, asio::any_completion_handler<void()>(std::move(handler))});
        if (!flush_posted_) {
          flush_posted_ = true;
          asio::post(executor, [this] { flush(); });
        }
      },
      asio::use_awaitable);
  if (commit.error) std::rethrow_exception(commit.error);
}

void CommitQueue::flush() {
  flush_posted_ = false;
  std::vector<Waiting> batch = std::move(queue_);
  queue_.clear();
  std::vector<RunCommit*> commits;
  commits.reserve(batch.size());
  for (const auto& waiting : batch) commits.push_back(waiting.commit);
  write(commits);
  for (auto& waiting : batch) asio::post(waiting.executor, std::move(waiting.resume));
}

std::string what_mapped_into(const std::string& id, const std::string& names) {
  return "what calls mapped into " + id + " (" + names + ")";
}

std::string WriteBack::dropped_note(const std::string& id) const {
  if (dropped.empty()) return {};
  return what_mapped_into(id, joined_names(dropped)) +
         " is not written: changed in the store since (by another run or process, or the user), which keeps its "
         "newer value";
}

void CommitQueue::keep_unwritten(const std::string& id, const std::string& process, std::int64_t revision,
                                 const FieldMap& fields, const std::optional<FieldMap>& stored) {
  auto& kept = unwritten_[id];
  kept.id = id;
  kept.process = process;
  kept.revision = revision;
  for (const auto& [name, value] : fields) kept.values.insert_or_assign(name, value);
  kept.base = stored_values(id, kept.values);
  if (!kept.base && stored) kept.base = values_in(&*stored, kept.values);
}

FieldMap CommitQueue::values_in(const FieldMap* stored, const FieldMap& fields) {
  FieldMap values;
  for (const auto& [name, value] : fields) values.emplace(name, field_or_null(stored, name));
  return values;
}

std::optional<FieldMap> CommitQueue::stored_values(const std::string& id, const FieldMap& fields) const {
  std::optional<InstanceRecord> stored;
  try {
    stored = store_->load_instance(id);
  } catch (const StoreError&) {
    return std::nullopt;  // then only a store still at `revision` takes the values
  }
  return values_in(stored ? &stored->fields : nullptr, fields);
}

WriteBack CommitQueue::write_unwritten(const std::string& id) {
  const auto kept = unwritten_.find(id);
  if (kept == unwritten_.end()) return {};
  WriteBack result;
  result.dropped = store_->write_back_fields(kept->second, clock_->now());
  result.written = std::move(kept->second.values);
  for (const auto& name : result.dropped) result.written.erase(name);
  unwritten_.erase(kept);
  return result;
}

WriteBack CommitQueue::write_unwritten_before_call(const std::string& id) {
  try {
    return write_unwritten(id);
  } catch (const StoreError& e) {
    throw StoreError(unwritten().at(id) + " in an earlier run is not stored yet and the store still cannot write it: " +
                     e.what() + "; no call is made on " + id + " until it is");
  }
}

std::map<std::string, std::string> CommitQueue::unwritten() const {
  std::map<std::string, std::string> what;
  for (const auto& [id, kept] : unwritten_) what.emplace(id, what_mapped_into(id, field_names(kept.values)));
  return what;
}

void CommitQueue::write(const std::vector<RunCommit*>& commits) {
  if (commits.empty()) return;
  try {
    store_->commit_runs(commits, clock_->now());
  } catch (...) {  // not a StoreError (those are per commit): still, no waiter may hang
    for (RunCommit* commit : commits) {
      if (!commit->error) commit->error = std::current_exception();
    }
  }
}

}  // namespace flow
