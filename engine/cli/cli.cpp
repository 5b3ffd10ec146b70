#include "engine/cli/cli.hpp"

#include <cerrno>
#include <csignal>
#include <exception>
#include <iostream>

#include <fcntl.h>
#include <unistd.h>

#include "engine/cli/args.hpp"
#include "engine/cli/commands.hpp"
#include "engine/store.hpp"
#include "grammar/printable.hpp"

namespace flow::cli {

namespace {

constexpr const char* kUsage = R"(usage: flow <command> [options]

Flow runs .flow files: REST datasources, processes with button rules,
saved instances and scheduled tasks (see docs/language.md).

commands:
  check FILE... [--dump-ast]                     parse and check; exit 0 clean, 1 errors
  trigger FILE... PROCESS.HANDLER [--id ID]      run one handler now and print the fields;
          [--db PATH] [--json] [--show-secrets]  without --id on a new instance, whose
          [--durability full|relaxed]            save gives it a Process ID
          [--keep-runs N]
  run FILE... [--db PATH] [--for DURATION]       the daemon: run the schedules until
      [--show-secrets] [--keep-runs N]           SIGINT/SIGTERM/SIGHUP
      [--durability full|relaxed]
  instances list|show ID [FILE...] [--db PATH]   saved instances (flow instances --help)
            [--show-secrets] [--json]
  tasks list|history|run|pause|resume|delete ... scheduled tasks (flow tasks --help)
        [--db PATH] [--limit N] [--show-secrets]
  store migrate [FILE...] [--db PATH]            migrate an older store's schema, nothing else
  repl [FILE...] [--db PATH] [--show-secrets]    interactive rules and expressions
  test FILE... [--filter TEXT] [--verbose]       run the files' test blocks: mocked HTTP,
       [--show-secrets] [--junit REPORT.xml]     a virtual clock, a fresh store each

options:
  --help      this text
  --version   the version

The store is an SQLite file: --db PATH, default flow.db beside the first FILE.
--durability full (default): a commit waits for the disk (fsync) and survives
a power loss. relaxed: it survives a crash or kill -9 of flow, not a power loss.
--keep-runs N: the run history keeps each task's newest N runs (1,000; 0: all).
Secrets are masked (e.g. ••••3f2a) everywhere unless --show-secrets is given.
)";

/// What every command needs of the process before it writes or opens anything.
/// A reader of stdout or stderr that goes away (a log shipper restarting,
/// `| head`) must not kill flow: SIGPIPE would end a run between the call that
/// rotated a token and the save, and the daemon with it. Ignored, the write
/// fails with EPIPE instead and the stream drops what follows (exit codes stay
/// those of the work done). And fds 0-2 that whoever started flow closed are
/// /dev/null, so that no file flow opens (the store, a socket) becomes its
/// "stdout" and takes log lines.
void prepare_process() {
  std::signal(SIGPIPE, SIG_IGN);
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int null = ::open("/dev/null", O_RDWR);  // the lowest free fd: this one
    if (null > fd) {
      ::dup2(null, fd);
      ::close(null);
    }
  }
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      (args.empty() ? err : out) << kUsage;
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      out << "flow " << FLOW_VERSION << "\n";
      return 0;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    const auto& command = args[0];
    if (command == "check") return cmd_check(rest, out, err);
    if (command == "trigger") return cmd_trigger(rest, out, err);
    if (command == "run") return cmd_run(rest, out, err);
    if (command == "instances") return cmd_instances(rest, out, err);
    if (command == "tasks") return cmd_tasks(rest, out, err);
    if (command == "store") return cmd_store(rest, out, err);
    if (command == "repl") return cmd_repl(rest, out, err);
    if (command == "test") return cmd_test(rest, out, err);
    throw UsageError("unknown command '" + command + "' (try flow --help)");
  } catch (const std::exception&) {
    return report_failure(err);
  }
}

int report_failure(std::ostream& err) {
  try {
    throw;
  } catch (const UsageError& e) {  // messages echo what was typed: printable()
    err << "flow: " << printable(e.what()) << "\n";
    return 2;
  } catch (const UserError& e) {
    err << "flow: " << printable(e.what()) << "\n";
    return 1;
  } catch (const StoreError& e) {
    err << "flow: store error: " << printable(e.what()) << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "flow: internal error: " << printable(e.what()) << "\n";
    return 2;
  }
}

int run_cli(int argc, char** argv) {
  prepare_process();
  std::vector<std::string> args(argv + 1, argv + argc);
  return run_cli(args, std::cout, std::cerr);
}

}  // namespace flow::cli
