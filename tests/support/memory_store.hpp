#pragma once
// An in-memory Store for benchmarks and unit tests of logic that must not pay
// for disk writes. The real store is engine/store/sqlite_store.

#include <map>

#include "engine/store.hpp"

namespace flow::testing {

class MemoryStore final : public Store {
 public:
  std::optional<InstanceRecord> load_instance(const std::string& id) override {
    const auto it = instances_.find(id);
    if (it == instances_.end()) return std::nullopt;
    return it->second;
  }
  void save_instance(InstanceRecord& instance, TimePoint now) override {
    if (instance.created == TimePoint{}) instance.created = now;
    instance.modified = now;
    ++instance.revision;
    instances_[instance.id] = instance;
  }
  bool seed_instance(const InstanceRecord& instance, TimePoint now) override {
    if (instances_.count(instance.id)) return false;
    auto copy = instance;
    save_instance(copy, now);
    return true;
  }
  void checkpoint_fields(const std::string& id, const std::string& process, const FieldMap& fields,
                         TimePoint now) override {
    auto& record = instances_[id];
    record.id = id;
    record.process = process;
    for (const auto& [name, value] : fields) record.fields[name] = value;
    record.modified = now;
    ++record.revision;
  }
  std::vector<std::string> write_back_fields(const KeptFields& kept, TimePoint now) override {
    auto split = split_kept(kept, load_instance(kept.id));  // one thread, no other writer: one step
    if (!split.unchanged.empty()) checkpoint_fields(kept.id, kept.process, split.unchanged, now);
    return std::move(split.changed);
  }
  std::vector<InstanceRecord> list_instances() override {
    std::vector<InstanceRecord> out;
    for (const auto& [id, record] : instances_) out.push_back(record);
    return out;
  }
  std::string allocate_id(const std::string& process) override {
    return process + "-" + std::to_string(++counters_[process]);
  }
  std::int64_t record_run(const RunRecord& run) override {
    ++runs_recorded;
    last_run = run;
    return runs_recorded;
  }
  std::vector<RunRecord> runs(const std::string&, int) override { return {}; }
  std::optional<TaskState> load_task(const std::string& name) override {
    const auto it = tasks_.find(name);
    if (it == tasks_.end()) return std::nullopt;
    return it->second;
  }
  void save_task(const TaskState& state) override { tasks_[state.name] = state; }
  std::vector<TaskState> list_tasks() override {
    std::vector<TaskState> out;
    for (const auto& [name, state] : tasks_) out.push_back(state);
    return out;
  }

  std::int64_t runs_recorded = 0;
  RunRecord last_run;

 private:
  std::map<std::string, InstanceRecord> instances_;
  std::map<std::string, std::int64_t> counters_;
  std::map<std::string, TaskState> tasks_;
};

}  // namespace flow::testing
