#pragma once
// A real store whose writes fail with "disk full" on request: what a run does
// when its commit is refused, without filling a disk. It counts its reads of
// the run history too: what must not be read again and again.

#include <stdexcept>

#include "engine/store.hpp"

namespace flow::testing {

class FillableStore final : public Store {
 public:
  explicit FillableStore(Store& inner) : inner_(inner) {}
  bool full = false;
  int fail_next_commits = 0;  // commit_runs calls that fail, then it works again
  bool broken = false;        // commit_runs throws what no store may: not a StoreError
  /// Once a write failed for want of room, reads fail too, until this is
  /// reset: a store that cannot be read either when a run keeps what it could not commit.
  bool unreadable_once_full = false;
  bool unreadable = false;
  int history_reads = 0;  // calls of runs()

  std::optional<InstanceRecord> load_instance(const std::string& id) override {
    if (unreadable) throw StoreError("cannot read: disk I/O error");
    return inner_.load_instance(id);
  }
  void save_instance(InstanceRecord& instance, TimePoint now) override {
    fail_if_full();
    inner_.save_instance(instance, now);
  }
  bool seed_instance(const InstanceRecord& instance, TimePoint now) override { return inner_.seed_instance(instance, now); }
  void checkpoint_fields(const std::string& id, const std::string& process, const FieldMap& fields,
                         TimePoint now) override {
    fail_if_full();
    inner_.checkpoint_fields(id, process, fields, now);
  }
  std::vector<std::string> write_back_fields(const KeptFields& kept, TimePoint now) override {
    fail_if_full();
    return inner_.write_back_fields(kept, now);
  }
  std::vector<InstanceRecord> list_instances() override { return inner_.list_instances(); }
  std::string allocate_id(const std::string& process) override { return inner_.allocate_id(process); }
  std::int64_t record_run(const RunRecord& run) override {
    fail_if_full();
    return inner_.record_run(run);
  }
  void commit_runs(const std::vector<RunCommit*>& batch, TimePoint now) override {
    fail_if_full();
    if (broken) throw std::logic_error("commit_runs reached a state it cannot be in");
    if (fail_next_commits > 0) {
      --fail_next_commits;
      throw StoreError("cannot write: disk full");
    }
    inner_.commit_runs(batch, now);
  }
  std::vector<RunRecord> runs(const std::string& task, int limit) override {
    ++history_reads;
    return inner_.runs(task, limit);
  }
  std::optional<TaskState> load_task(const std::string& name) override { return inner_.load_task(name); }
  void save_task(const TaskState& state) override { inner_.save_task(state); }
  std::vector<TaskState> list_tasks() override { return inner_.list_tasks(); }

 private:
  void fail_if_full() {
    if (!full) return;
    unreadable = unreadable || unreadable_once_full;
    throw StoreError("cannot write: disk full");
  }
  Store& inner_;
};

}  // namespace flow::testing
