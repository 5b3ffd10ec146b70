#include "engine/store.hpp"

namespace flow {

std::int64_t Store::commit_run(RunCommit& commit, TimePoint now) {
  std::int64_t revision = 0;
  if (commit.save) {
    save_instance(*commit.save, now);
    revision = commit.save->revision;
  } else if (!commit.checkpoint.empty()) {
    checkpoint_fields(commit.instance_id, commit.process, commit.checkpoint, now);
    if (auto stored = load_instance(commit.instance_id)) revision = stored->revision;
  }
  if (commit.history) record_run(*commit.history);
  return revision;
}

void Store::commit_runs(const std::vector<RunCommit*>& batch, TimePoint now) {
  for (RunCommit* commit : batch) {
    try {
      commit->revision = commit_run(*commit, now);
    } catch (const StoreError&) {
      commit->error = std::current_exception();
    }
  }
}

}  // namespace flow
