#pragma once
// The rules interpreter: runs a handler of a process on an instance.
//
// Run semantics (docs/semantics.md says the same for users):
// - Rules run top to bottom. A failing rule with no on_error stops the handler;
//   the run is recorded as failed with the rule's location and message.
// - Runs on one instance are serialized (an AsyncMutex per Process ID held for
//   the whole run); runs on different instances interleave on one io_context.
// - Values that a successful call mapped in via on_success are checkpointed to
//   the store (one transaction) before the next rule runs: a later failing rule
//   or a crash before `save` cannot lose a rotated refresh token.
// - `save` writes the whole instance in one transaction.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "engine/clock.hpp"
#include "engine/eval.hpp"
#include "engine/functions.hpp"
#include "engine/http_transport.hpp"
#include "engine/program.hpp"
#include "engine/store.hpp"

namespace flow {

struct RunState;
class RunInFlight;

/// The effects a run may use; all borrowed, all must outlive the Interpreter.
struct Host {
  HttpTransport* http = nullptr;
  Clock* clock = nullptr;
  Store* store = nullptr;
  const FunctionRegistry* functions = nullptr;
  /// The environment env() reads; nullptr: the process's (see CallContext).
  const std::map<std::string, std::string, std::less<>>* environment = nullptr;
  /// What instance("ID") types stored values by (see CallContext). Not an
  /// effect: the Interpreter sets its own program here.
  const Program* program = nullptr;

  /// What built-ins called on `instance_id` (or on no instance) may touch.
  CallContext context(std::string instance_id = {}) const {
    return CallContext{clock, store, std::move(instance_id), environment, program};
  }
};

struct RunOptions {
  bool reveal_secrets = false;  // --show-secrets: print secrets in clear (never in the store)
};

/// Told that a run begins to wait for a run in another flow process sharing
/// the store (up to InstanceLocks::kWaitForOtherProcess), which holds instance
/// `id` of `process`: the run's own, or one its `start` rule runs. Called once
/// per wait, as it begins; never for a wait on a run of this process.
using OtherProcessWait = std::function<void(const std::string& process, const std::string& id)>;

struct RunRequest {
  std::string process;
  std::string handler;
  std::optional<std::string> instance_id;  // none: a new instance
  std::string task;                        // schedule name, for history
  /// Whether RunResult::stored is read back from the store once the run
  /// ended: a command shows it; the daemon's log does not, and skips the read.
  bool want_stored = true;
  /// Hears each wait of the run, and of the runs its `start` rules run, for
  /// another flow process's run (the daemon and the commands say so: such a
  /// wait may last minutes). May be empty.
  OtherProcessWait on_wait_for_other_process = {};
};

struct RunResult {
  bool ok = false;
  std::string error;              // rendered with location and trace; secrets masked
  std::vector<std::string> log;   // the run's log lines; masked unless reveal_secrets
  InstanceRecord instance;        // the instance as the run left it, saved or not
  /// The instance as the store holds it once the run ended (what it saved and
  /// what its calls mapped in, typed as its process declares): what a one-shot
  /// command shows, since the rest of `instance` ends with the run. nullopt
  /// when the store holds none (a new instance not saved) or could not say,
  /// or the request did not want it (RunRequest::want_stored).
  std::optional<InstanceRecord> stored;
  bool saved = false;             // a `save` rule committed it
  bool transient = false;         // failed on a network error, 5xx or 429: worth a retry
  std::optional<OAuthRefusal> refused;  // failed on an OAuth2 error answer (invalid_grant)
  bool loaded = false;            // the run had its instance (loaded, seeded or a preview); else
                                  // `instance` only names the one it was for
  bool stale = false;             // refused: the preview is older than the stored instance
  bool stopped = false;           // never started: a stop came while it waited for another process's
                                  // run on its instance; it called nothing, and its history has no record
};

/// Rules that are not a handler of the program: the REPL's typed input, parsed
/// in a module of its own. Its diagnostics are rendered against `sources`.
struct LooseRules {
  const ast::Handler* handler = nullptr;
  const SourceSet* sources = nullptr;
};

class Interpreter {
 public:
  Interpreter(const Program& program, Host host, RunOptions options = {});
  ~Interpreter();

  /// Creates the instances declared in files that the store does not hold yet.
  /// Returns rendered errors (e.g. env() of an unset variable, a full disk) for
  /// those it could not; never throws a StoreError.
  std::vector<std::string> seed_instances();
  /// A stop was asked for (SIGINT, SIGTERM): runs still waiting for another
  /// process's run on their instance give up now (they have called nothing);
  /// runs under way finish; write_unwritten_before_exit tries no more.
  void stop_waiting();
  /// Whether a run waits for another process's run on its instance now (what
  /// a stop would end).
  bool waiting_for_other_process() const;
  /// The same for `declarations` (a test's own instances, seeded first).
  std::vector<std::string> seed_instances(const std::vector<const ast::InstanceDecl*>& declarations);

  /// Runs `request.handler` of `request.process`; records the run in the store's history.
  /// `preview`: the instance to run on as it is in memory (the REPL's unsaved
  /// preview, or edits not saved yet) instead of the stored one; like any run,
  /// only its `save` rules (and what calls map in) reach the store. A preview
  /// of a stored instance whose stored revision has moved since (another run,
  /// another process) is refused before anything runs (`stale`): its values
  /// may be older than the store's, a spent refresh token among them.
  boost::asio::awaitable<RunResult> run(RunRequest request, std::optional<InstanceRecord> preview = std::nullopt);

  /// Runs `rules` on `instance` (of one of the program's processes) as run()
  /// runs a handler on a preview, with every rule a handler may hold; records
  /// no history (they belong to no task or handler). `on_wait` as
  /// RunRequest::on_wait_for_other_process.
  boost::asio::awaitable<RunResult> run_rules(LooseRules rules, InstanceRecord instance, OtherProcessWait on_wait = {});

  /// Before the process exits (`flow trigger`, `flow tasks run`, the daemon
  /// stopping): what calls mapped in and a failed commit left in memory
  /// (written before the instance's next run, which will not come now) is
  /// written, each instance under its lock, into the fields the store has not
  /// changed since (a field changed since keeps the store's newer value, and
  /// `note` says so: CommitQueue::write_unwritten). While some is not, it tries again
  /// after each of `pauses` (on the host's clock) until stop_waiting().
  /// `note` hears how each attempt went. Returns what still could not be
  /// written, one message per instance (field names, never values): it is
  /// lost when the process exits.
  boost::asio::awaitable<std::vector<std::string>> write_unwritten_before_exit(
      std::vector<Duration> pauses, std::function<void(const std::string&)> note);

  /// Whether values of instance `id` wait in memory for write_unwritten_before_exit.
  bool keeps_unwritten(const std::string& id) const;
  /// The instance `id` of `process` as the store holds it now, typed as
  /// declared (RunResult::stored read again); nullopt when it holds none or
  /// cannot be read.
  std::optional<InstanceRecord> stored_instance(const std::string& process, const std::string& id);

  /// Evaluates `expr` on the stored instance `id` of `process` (or a new one),
  /// e.g. a dynamic schedule's `at` expression. Throws RunError.
  Value evaluate_on(const ast::Expr& expr, const std::string& process, const std::optional<std::string>& id);

  /// How many runs recorded in the history, on any instance, have ended in
  /// this interpreter: what a note read from the run history compares to know
  /// it may be stale. (One count, not one per instance: a count per Process ID
  /// would grow with every new instance a long-lived daemon's runs create.)
  /// Runs of other processes sharing the store are not counted.
  std::uint64_t runs_ended() const;

  const Program& program() const { return program_; }
  const Host& host() const { return host_; }
  const RunOptions& options() const { return options_; }

 private:
  /// run() itself: counted as in flight from the call on (`in_flight` moves
  /// into the coroutine frame before the coroutine first runs).
  boost::asio::awaitable<RunResult> run_counted(RunInFlight in_flight, RunRequest request,
                                                std::optional<InstanceRecord> preview,
                                                std::optional<LooseRules> loose);
  /// After the run's last commit failed (`failure`): a failed run if it had
  /// instance writes, what its calls mapped in kept for the instance's next
  /// run, and its history (`record`) in a transaction of its own.
  void keep_after_failed_commit(const RunRequest& request, RunState& state, RunResult& result, TimePoint started,
                                const std::exception_ptr& failure, bool record);
  /// After a failed commit: the failed run's history in a transaction of its own.
  void record_history_alone(const RunRequest& request, RunState& state, const RunResult& result, TimePoint started);

  class Impl;
  const Program& program_;
  Host host_;
  RunOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flow
