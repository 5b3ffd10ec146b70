#pragma once
// What the commands share: loading and checking files, opening the store, and
// an io_context with the real clock, transport and interpreter.

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "engine/cli/args.hpp"
#include "engine/store/sqlite_store.hpp"
#include "engine/functions.hpp"
#include "engine/interpreter.hpp"
#include "engine/program.hpp"

namespace flow::cli {

/// A loaded, checked program with the standard library.
struct Loaded {
  std::unique_ptr<Program> program;
  FunctionRegistry functions;
};

/// Loads and checks `files`, printing diagnostics (errors and warnings) to `err`.
/// Returns nullopt when there was any error. Throws UsageError for a missing file.
std::optional<Loaded> load_checked(const std::vector<std::string>& files, std::ostream& err);

/// --db PATH, else flow.db beside the first file.
std::string db_path(const Args& args, const std::vector<std::string>& files);
/// "no store at PATH", and, when PATH is the default of a command given
/// neither FILE nor --db (./flow.db), where stores are made instead.
std::string no_store_text(const std::string& path, const Args& args, const std::vector<std::string>& files);

/// --durability full|relaxed (default full), for the store of `run` and `trigger`.
SqliteOptions store_options(const Args& args);

/// The live parts of a run: one io_context thread, the wall clock, the Beast
/// transport, the SQLite store and an interpreter over them.
class Runtime {
 public:
  Runtime(const Loaded& loaded, const std::string& db, RunOptions options, const SqliteOptions& store = {});
  ~Runtime();
  boost::asio::io_context& io() { return io_; }
  Interpreter& interpreter() { return *interpreter_; }
  Store& store() { return *store_; }
  Clock& clock() { return *clock_; }

  /// Seeds the instances the files declare that the store does not hold yet,
  /// as every command that runs handlers does first (a stored one is never
  /// overwritten): instance("ID") reads them, and no new instance can take a
  /// declared ID. Returns why it could not seed some (an env() unset, a store
  /// that takes no writes), rendered, for the command to say; they stay
  /// unseeded. `run_seeds`: the Process ID of the instance the command runs
  /// on, left to its run, which seeds it and says why it cannot (once, in the
  /// run's error).
  std::vector<std::string> seed_instances(const std::optional<std::string>& run_seeds = std::nullopt);
  /// Runs one handler to completion on the io_context. A wait for another
  /// flow process's run (the daemon's) is said on stderr as it begins, unless
  /// `request` has its own on_wait_for_other_process.
  RunResult run_now(RunRequest request, std::optional<InstanceRecord> preview = std::nullopt);
  /// Runs loose rules (the REPL's input) on `instance` to completion; a wait
  /// said as run_now says it.
  RunResult run_rules(LooseRules rules, InstanceRecord instance);
  /// Before the command exits: what a run's calls mapped in and its failed
  /// commit left in memory is written, retried for up to about 30 s (SIGINT or
  /// SIGTERM gives up, SIGHUP does not), saying so on `err`. False when some
  /// of it is lost.
  bool write_unwritten_before_exit(std::ostream& err);
  /// The same after `shown`'s run, before it is printed: when the run's
  /// instance had values kept, `shown` then shows the store as it holds it
  /// (what was written since), not as it held it when the run ended.
  bool write_unwritten_before_exit(std::ostream& err, RunResult& shown);

 private:
  /// What SIGHUP does to complete()'s work: stop it as SIGINT and SIGTERM
  /// do, or go on (a terminal that went away asked nobody to give up).
  enum class OnHangup { stop, go_on };
  /// Runs `work` on the io_context to its end; SIGINT, SIGTERM or SIGHUP
  /// meanwhile prints `on_signal` on `err` and calls the interpreter's
  /// stop_waiting(); with OnHangup::go_on, SIGHUP only says the work goes on.
  template <class T>
  T complete(boost::asio::awaitable<T> work, const char* on_signal, std::ostream& err,
             OnHangup on_hangup = OnHangup::stop);

  boost::asio::io_context io_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<HttpTransport> http_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Interpreter> interpreter_;
};

/// Prints an instance's fields, aligned, secrets masked unless `reveal`.
void print_instance(std::ostream& out, const InstanceRecord& instance, bool reveal);
/// Prints one run of the history (`flow tasks history`, the REPL's :history).
void print_run_record(std::ostream& out, const RunRecord& run);
/// `text` as one word of a shell command: as it is when plain, else in single quotes.
std::string shell_word(const std::string& text);
/// `files` as words of a shell command, each followed by a space.
std::string shell_files(const std::vector<std::string>& files);
/// After a run the provider refused with `invalid_grant` (RunResult::refused):
/// what a person must do, since no retry or later slot can mend it, as one
/// line without its end (the REPL commands on `files` and store `db`, the
/// field the call sent as the refresh token). Empty for any other failure.
std::string refused_grant_hint(const RunResult& result, const std::vector<std::string>& files,
                               const std::optional<std::string>& db);

/// A task's next time for `tasks list` and the REPL's :tasks: its pending
/// retry, named so (`... (retry 1)`; `(retry 1 of 3)` given the schedule
/// `declared`), else its slot, with the time it was moved from when the
/// one-minute gap of a dynamic schedule moved it (given `declared`); "-" when
/// it has none.
std::string next_text(const TaskState& state, const ast::ScheduleDecl* declared = nullptr);
/// Prints a run: its log, then the instance, then the error if it failed.
void print_run(std::ostream& out, std::ostream& err, const RunResult& result, bool reveal);
/// The run as one JSON document (`--json`).
std::string run_json(const RunResult& result, bool reveal);
/// An instance as `--json` shows it: id, process, revision, modified (a
/// stored one's) and its fields (each as to_json gives it: secrets masked
/// unless `reveal`).
Json instance_json(const InstanceRecord& instance, bool reveal);

/// Why a dynamic task of `loaded` has no next run, computed read-only on its
/// stored instance as the daemon computes it ("waiting: ExpiresIn is null");
/// empty for any other task (`flow tasks list FILE`, the REPL's :tasks).
std::string dynamic_waiting(const Loaded& loaded, Store& store, Clock& clock, const std::string& task);

/// Splits "Process.Handler".
std::pair<std::string, std::string> split_target(const std::string& target);
/// A UsageError, naming the handlers there are, unless `program` has the
/// button handler `process`.`handler`: a mistyped name is caught before a run.
void require_target(const Program& program, const std::string& process, const std::string& handler);

}  // namespace flow::cli
