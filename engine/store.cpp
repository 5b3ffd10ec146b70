#include "engine/store.hpp"

namespace flow {

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
