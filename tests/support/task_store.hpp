#pragma once
// The task-state part of a Store, for tests of the scheduler: it touches nothing else.

#include <map>

#include <catch2/catch.hpp>

#include "engine/store.hpp"

namespace flow::testing {

/// Task states in memory; anything else it is asked fails the test.
class TaskStore final : public Store {
 public:
  std::optional<TaskState> load_task(const std::string& name) override {
    if (failing_loads) throw StoreError("store flow.db: cannot load task \"" + name + "\": disk I/O error");
    auto found = tasks.find(name);
    if (found == tasks.end()) return std::nullopt;
    return found->second;
  }
  void save_task(const TaskState& state) override {
    if (failing_saves) throw StoreError("store flow.db: cannot save task \"" + state.name + "\": disk full");
    tasks[state.name] = state;
    ++saves;
  }
  TaskState update_task(const TaskUpdate& update) override {
    if (failing_saves) throw StoreError("store flow.db: cannot save task \"" + update.name + "\": disk full");
    const auto found = tasks.find(update.name);
    const auto state = apply_task_update(found == tasks.end() ? std::nullopt : std::optional(found->second), update);
    tasks[update.name] = state;
    ++saves;
    return state;
  }
  std::vector<TaskState> list_tasks() override {
    std::vector<TaskState> all;
    for (const auto& [name, state] : tasks) all.push_back(state);
    return all;
  }

  std::optional<InstanceRecord> load_instance(const std::string&) override { unused(); }
  void save_instance(InstanceRecord&, TimePoint) override { unused(); }
  bool seed_instance(const InstanceRecord&, TimePoint) override { unused(); }
  void checkpoint_fields(const std::string&, const std::string&, const FieldMap&, TimePoint) override {
    unused();
  }
  std::vector<std::string> write_back_fields(const KeptFields&, TimePoint) override { unused(); }
  std::vector<InstanceRecord> list_instances() override { unused(); }
  std::string allocate_id(const std::string&) override { unused(); }
  std::int64_t record_run(const RunRecord&) override { unused(); }
  std::vector<RunRecord> runs(const std::string&, int) override { unused(); }

  std::map<std::string, TaskState> tasks;
  int saves = 0;
  bool failing_saves = false;  // the disk is full: every task write throws
  bool failing_loads = false;  // every task read throws

 private:
  [[noreturn]] static void unused() { FAIL("the scheduler touched instance or run data"); throw 0; }
};

}  // namespace flow::testing
