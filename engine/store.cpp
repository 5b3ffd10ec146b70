#include "engine/store.hpp"

namespace flow {

void Store::commit_runs(const std::vector<RunCommit*>& batch, TimePoint now) {
  for (RunCommit* commit : batch) {
    try {
      if (commit->save) {
        save_instance(*commit->save, now);
        commit->revision = commit->save->revision;
      } else if (!commit->checkpoint.empty()) {
        checkpoint_fields(commit->instance_id, commit->process, commit->checkpoint, now);
        if (auto stored = load_instance(commit->instance_id)) commit->revision = stored->revision;
      }
      if (commit->history) record_run(*commit->history);
    } catch (const StoreError&) {
      commit->error = std::current_exception();
    }
  }
}

}  // namespace flow
