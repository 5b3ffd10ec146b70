#include "engine/store.hpp"

namespace flow {

const Value& field_or_null(const FieldMap* fields, const std::string& name) {
  static const Value kNull;
  if (!fields) return kNull;
  const auto found = fields->find(name);
  return found == fields->end() ? kNull : found->second;
}

KeptSplit split_kept(const KeptFields& kept, const std::optional<InstanceRecord>& stored) {
  const bool same_revision = (stored ? stored->revision : 0) == kept.revision;  // nothing written since
  const FieldMap* now = stored ? &stored->fields : nullptr;
  const FieldMap* base = kept.base ? &*kept.base : nullptr;
  KeptSplit split;
  for (const auto& [name, value] : kept.values) {
    if (same_revision || (base && field_or_null(now, name) == field_or_null(base, name))) split.unchanged.emplace(name, value);
    else split.changed.push_back(name);
  }
  return split;
}

TaskState apply_task_update(std::optional<TaskState> stored, const TaskUpdate& update) {
  if (update.check) update.check(stored);
  TaskState state = std::move(stored).value_or(TaskState{});
  state.name = update.name;
  state.run_count += update.new_runs;
  const bool later_stored = update.later_only && state.last_run && *state.last_run > update.last_run;
  if (update.last_run && !later_stored) state.last_run = update.last_run;
  if (update.plan) {
    state.next_run = update.next_run;
    state.anchor = update.anchor;
    state.retry = update.retry;
  }
  if (update.retry_done) state.retry.reset();
  if (update.paused) state.paused = *update.paused;
  if (update.deleted) state.deleted = *update.deleted;
  return state;
}

std::vector<CallNote> Store::calls_lost() {
  auto lost = take_calls_left();
  std::erase_if(lost, [this](const CallNote& note) {
    const auto instance = load_instance(note.instance_id);
    return !instance || instance->revision != note.revision;
  });
  return lost;
}

std::vector<std::string> Store::record_calls_lost() {
  std::vector<CallNote> calls;
  try {
    calls = calls_lost();
  } catch (const StoreError& e) {  // a diagnosis only: the run about to start reports the store's state
    return {e.what()};
  }
  std::vector<std::string> said;
  for (const auto& lost : calls) {
    RunRecord record;
    record.task = lost.task;
    record.instance_id = lost.instance_id;
    record.process = lost.process;
    record.handler = lost.handler;
    record.started = lost.sent;
    record.finished = lost.sent;  // when it ended is unknown: it never answered
    record.message = "the run of " + lost.process + "." + lost.handler + " on " + lost.instance_id + " (process " +
                     std::to_string(lost.pid) + ") sent " + lost.call + " at " + format_iso(lost.sent) +
                     " and ended before its answer was stored (the process was killed, or the machine stopped): "
                     "if the provider rotated the refresh token then, the stored one is spent";
    said.push_back(record.message);
    try {
      record_run(record);
    } catch (const StoreError& e) {  // said; the run about to start reports the store's state
      said.push_back(e.what());
    }
  }
  return said;
}

TaskState Store::update_task(const TaskUpdate& update) {
  const TaskState state = apply_task_update(load_task(update.name), update);
  save_task(state);
  return state;
}

void Store::commit_runs(const std::vector<RunCommit*>& batch, TimePoint now) {
  for (RunCommit* commit : batch) {
    try {
      std::optional<InstanceRecord> checkpointed;
      const InstanceRecord* written = nullptr;
      if (commit->save) {
        save_instance(*commit->save, now);
        written = &*commit->save;
      } else if (!commit->checkpoint.empty()) {
        checkpoint_fields(commit->instance_id, commit->process, commit->checkpoint, now);
        checkpointed = load_instance(commit->instance_id);
        if (checkpointed) written = &*checkpointed;
      }
      if (written) {
        commit->revision = written->revision;
        commit->created = written->created;
        commit->modified = written->modified;
      }
      if (commit->history) record_run(*commit->history);
    } catch (const StoreError&) {
      commit->error = std::current_exception();
    }
  }
}

}  // namespace flow
