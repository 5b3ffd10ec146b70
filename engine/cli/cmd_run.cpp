// `flow run`: the daemon. Seeds declared instances, then runs every schedule on
// Asio timers until SIGINT/SIGTERM (or --for), letting in-flight runs finish.
#include <algorithm>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/cli/commands.hpp"
#include "engine/cli/log_writer.hpp"
#include "engine/cli/session.hpp"
#include "engine/scheduler.hpp"
#include "engine/task_runner.hpp"
#include "grammar/parser.hpp"
#include "grammar/unit_hint.hpp"
#include "grammar/printable.hpp"

namespace flow::cli {

namespace asio = boost::asio;

namespace {

/// A duration as written in a .flow file ("20s", "5m", "90 seconds"); else a usage error.
std::chrono::milliseconds cli_duration(const std::string& text) {
  if (const auto duration = parse_duration(text)) return *duration;
  if (const auto typo = syntax::misspelled_duration_unit(text))
    throw UsageError("bad duration '" + text + "': " + *typo);
  throw UsageError("bad duration '" + text + "' (as in a .flow file: 30s, 5m, 2h, 90 seconds)");
}

/// `--for 90 seconds` unquoted: the shell split the duration, and "seconds"
/// would be taken for a file. A usage error saying so, when the word after
/// --for's value is no file and completes that value into a duration.
void check_split_duration(const std::vector<std::string>& raw) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::optional<std::string> value;
    std::size_t after = i + 1;  // the argument after --for's value
    if (raw[i].starts_with("--for=")) {
      value = raw[i].substr(6);
    } else if (raw[i] == "--for" && i + 1 < raw.size()) {
      value = raw[i + 1];
      after = i + 2;
    }
    if (!value || after >= raw.size()) continue;
    const auto& word = raw[after];
    if (word.starts_with("--") || std::filesystem::exists(word) || !parse_duration(*value + " " + word)) continue;
    const auto unit = word.starts_with("milli") ? std::string("ms") : word.substr(0, 1);
    throw UsageError("--for takes one argument: quote it, --for \"" + *value + " " + word + "\", or write " + *value +
                     unit);
  }
}

std::string stamp(Clock& clock) { return format_iso(std::chrono::floor<std::chrono::seconds>(clock.now())); }

/// How the daemon's lines on a task's run begin: "TIME TASK: PROCESS ID", the
/// ID visible as printable() writes it, "(new)" for an instance not saved yet.
std::string run_line_head(Clock& clock, const std::string& task, const std::string& process, const std::string& id) {
  return stamp(clock) + " " + task + ": " + process + " " + (id.empty() ? std::string("(new)") : printable(id));
}

/// The commands that run a task by hand on this daemon's files and store, for
/// the log of a dynamic schedule whose time waits for its first run.
ByHandHint commands_by_hand(const Args& args) {
  const std::string files = shell_files(args.positional);
  const auto db = args.option("db");
  const std::string store = db ? " --db " + shell_word(*db) : "";
  return [files, store](const ast::ScheduleDecl& schedule, const std::string& id) {
    return "flow tasks run " + files + shell_word(schedule.name) + store + " (or flow trigger " + files +
           schedule.process->text + "." + schedule.trigger->text + (id.empty() ? "" : " --id " + shell_word(id)) +
           store + ")";
  };
}

/// The daemon proper, writing through `out` and `err` (the log writer's
/// streams); what it throws is cmd_run's to report.
int run_daemon(const std::vector<std::string>& raw, const Args& args, std::ostream& out, std::ostream& err) {
  check_split_duration(raw);
  std::optional<std::chrono::milliseconds> run_for;  // read before anything is opened
  if (auto duration = args.option("for")) run_for = cli_duration(*duration);
  const auto loaded = load_checked(args.positional, err);
  if (!loaded) return 1;
  const bool reveal = args.flag("show-secrets");
  const auto db = db_path(args, args.positional);
  Runtime runtime(*loaded, db, RunOptions{reveal}, store_options(args));
  // Two daemons would run every schedule twice, each spending the refresh
  // token the other just rotated. (`flow trigger` beside one is fine: runs on
  // an instance wait for each other across processes.)
  if (!runtime.store().claim_daemon()) {
    err << "error: another `flow run` is already running the schedules of store " << db << "\n";
    return 1;
  }
  auto& clock = runtime.clock();
  for (const auto& error : runtime.seed_instances()) err << error;  // every schedule may need them

  Scheduler* scheduler_told = nullptr;  // of every run: it may have moved another `at` task's time
  const auto on_run = [&](const std::string& task, const RunResult& result) {
    if (scheduler_told) scheduler_told->instances_written();
    const auto head = run_line_head(clock, task, result.instance.process, result.instance.id);
    if (result.stopped) {  // no run: it never had its instance, and called nothing
      out << head << " not run: the daemon is stopping, and another flow process's run held the instance\n"
          << std::flush;
      return;
    }
    out << head << (result.ok ? " ok" : " FAILED") << "\n";
    for (const auto& logged : result.log) out << "    " << logged << "\n";
    if (!result.ok) out << result.error;
    if (const auto hint = refused_grant_hint(result, args.positional, args.option("db")); !hint.empty())
      out << "    " << hint << "\n";
    out.flush();
  };
  // Said once per wait, as it begins: the run may then wait up to 120 s, or until a stop.
  // The instance held is the run's own, or one its `start` rule runs.
  const auto on_wait = [&](const TaskWait& wait) {
    out << run_line_head(clock, wait.task, wait.process, wait.id)
        << (wait.held_process == wait.process && wait.held_id == wait.id
                ? " waits: another flow process's run holds the instance\n"
                : " waits to start " + wait.held_process + " " + printable(wait.held_id) +
                      ": another flow process's run holds it\n")
        << std::flush;
  };
  InterpreterTaskRunner runner(runtime.interpreter(), on_run, commands_by_hand(args), on_wait);
  SchedulerOptions options;
  options.log = [&](const std::string& line) { out << stamp(clock) << " " << line << "\n" << std::flush; };
  Scheduler scheduler(clock, runtime.store(), loaded->program->schedules(), runner, options);
  scheduler_told = &scheduler;

  out << stamp(clock) << " flow " << FLOW_VERSION << ": running " << loaded->program->schedules().size()
      << " schedule(s), store " << db << "\n" << std::flush;
  // SIGHUP (its terminal closed) stops it as SIGTERM does, runs in flight first.
  asio::signal_set signals(runtime.io(), SIGINT, SIGTERM, SIGHUP);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    out << stamp(clock) << " signal " << signal << ": stopping after in-flight runs\n" << std::flush;
    runtime.interpreter().stop_waiting();
    scheduler.stop();
  });
  asio::steady_timer deadline(runtime.io());
  if (run_for) {
    deadline.expires_after(*run_for);
    deadline.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) scheduler.stop();
    });
  }
  std::exception_ptr failure;
  asio::co_spawn(runtime.io(), scheduler.run(), [&](std::exception_ptr e) {
    failure = e;
    signals.cancel();
    deadline.cancel();
  });
  runtime.io().run();
  if (failure) std::rethrow_exception(failure);
  const bool nothing_lost = runtime.write_unwritten_before_exit(err);
  // Not stopped by a signal or --for: every task's loop ended (deleted, expired, done).
  out << stamp(clock) << (scheduler.stopping() ? " stopped\n" : " stopped: no schedule left to run\n");
  return nothing_lost ? 0 : 1;
}

}  // namespace

int cmd_run(const std::vector<std::string>& raw, std::ostream& stdout_stream, std::ostream& stderr_stream) {
  const auto args = parse_args(raw, {"db", "for", "durability", "keep-runs"}, {"show-secrets", "help"});
  if (args.flag("help") || args.positional.empty()) {
    (args.flag("help") ? stdout_stream : stderr_stream)
        << "usage: flow run FILE... [--db PATH] [--for DURATION] [--show-secrets]"
           " [--durability full|relaxed] [--keep-runs N]\n";
    return args.flag("help") ? 0 : 2;
  }
  // Everything the daemon writes from here on goes through the log writer's
  // thread, its last words too: a stdout or stderr nobody reads must neither
  // stop the schedules nor keep a failed daemon from exiting (log_writer.hpp).
  LogWriter log(sink_for(stdout_stream), sink_for(stderr_stream));
  try {
    return run_daemon(raw, args, log.out(), log.err());
  } catch (const std::exception&) {
    return report_failure(log.err());
  }
}

}  // namespace flow::cli
