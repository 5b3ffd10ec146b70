// A run of another flow process killed while its call was out (kill -9 of a
// `flow trigger` beside the daemon), told by the runs that follow in a
// process that stays up: the daemon's next scheduled run, and a run that
// waited for the killed one. The killed process is a forked child that notes
// its call and ends with _exit (no destructors, as kill -9 would).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include <boost/asio/detached.hpp>

#include "engine/task_runner.hpp"
#include "support/engine_fixture.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

constexpr const char* kLostKeeper = R"(
process K {
  field Runs number = 0;
  on Refresh { set Runs = Runs + 1; save; }
}
instance "K-1" of K { }
schedule "Before expiry" { every 1 minutes; process K; id "K-1"; trigger Refresh; }
)";

/// A process beside the fixture's, on its store: it holds K-1's lock, notes a
/// call on K-1 at its stored revision, says so on `ready`, and dies (_exit)
/// when `die` is written to or closed, leaving its note.
struct DyingProcess {
  pid_t pid = -1;
  int die = -1;  // written by the test to end it

  DyingProcess(const std::string& db, TimePoint sent) {
    int ready[2], end[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(end) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(ready[0]);
      ::close(end[1]);  // else its own copy would keep `end` open
      auto* store = open_sqlite_store(db).release();  // never closed: the process "dies" with its note
      const bool locked = store->try_lock_instance("K-1");
      store->note_call({"K-1", store->load_instance("K-1")->revision, "Token.Refresh", "Before expiry", "K",
                        "Refresh", sent, 0});
      const char said = locked ? 'y' : 'n';
      if (::write(ready[1], &said, 1) != 1) ::_exit(2);
      char ignored = 0;
      [[maybe_unused]] const auto got = ::read(end[0], &ignored, 1);
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(end[0]);
    die = end[1];
    char said = 0;
    REQUIRE(::read(ready[0], &said, 1) == 1);
    ::close(ready[0]);
    REQUIRE(said == 'y');
  }

  /// Ends it, and waits until it has ended.
  void kill() {
    if (die < 0) return;
    ::close(std::exchange(die, -1));
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
  }

  ~DyingProcess() {
    if (die >= 0) ::close(die);
    if (pid > 0) ::waitpid(pid, nullptr, 0);
  }
};

std::string lost_line(pid_t pid, TimePoint sent) {
  return "the run of K.Refresh on K-1 (process " + std::to_string(pid) + ") sent Token.Refresh at " + format_iso(sent) +
         " and ended before its answer was stored (the process was killed, or the machine stopped): if the provider "
         "rotated the refresh token then, the stored one is spent";
}

/// The history's records of `task`, oldest first.
std::vector<RunRecord> history(Store& store, const std::string& task) {
  auto runs = store.runs(task, 10);
  std::reverse(runs.begin(), runs.end());
  return runs;
}

}  // namespace

TEST_CASE("the daemon's next scheduled run tells of a call another process was killed in, once", "[lost_call]") {
  EngineFixture f(kLostKeeper);
  REQUIRE(f.interpreter->seed_instances().empty());
  const TimePoint sent = f.clock.now() - std::chrono::seconds(30);
  DyingProcess trigger(f.dir.file("flow.db"), sent);
  trigger.kill();  // between two of the daemon's runs

  std::vector<RunResult> seen;
  InterpreterTaskRunner runner(*f.interpreter, [&seen](const std::string&, const RunResult& r) { seen.push_back(r); });
  const auto* schedule = f.program->schedule("Before expiry");
  for (int i = 0; i < 2; ++i) {
    boost::asio::co_spawn(f.io, runner.run_task(*schedule), boost::asio::detached);
    f.io.restart();
    f.io.run();
  }
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].ok);
  REQUIRE_FALSE(seen[0].log.empty());
  CHECK(seen[0].log.front() == lost_line(trigger.pid, sent));
  for (const auto& line : seen[1].log) CHECK_THAT(line, !Catch::Contains("ended before its answer was stored"));

  const auto runs = history(*f.store, "Before expiry");
  REQUIRE(runs.size() == 3);  // the killed run, recorded as failed when its call went out; then the daemon's two
  CHECK_FALSE(runs[0].ok);
  CHECK(runs[0].started == sent);
  CHECK(runs[0].message == lost_line(trigger.pid, sent));
  CHECK(runs[1].ok);
  CHECK(runs[2].ok);
}

TEST_CASE("a run that waited for another process's run tells of that run's call when it was killed in it",
          "[lost_call]") {
  EngineFixture f(kLostKeeper);
  REQUIRE(f.interpreter->seed_instances().empty());
  const TimePoint sent = f.clock.now() - std::chrono::seconds(5);
  DyingProcess trigger(f.dir.file("flow.db"), sent);

  RunRequest request{"K", "Refresh", "K-1", ""};
  int waits = 0;
  request.on_wait_for_other_process = [&](const std::string&, const std::string&) {
    ++waits;
    trigger.kill();  // while this run waits for it: its lock goes, its note stays
  };
  std::optional<RunResult> result;
  boost::asio::co_spawn(f.io, f.interpreter->run(std::move(request)),
                        [&result](std::exception_ptr, RunResult r) { result = std::move(r); });
  f.io.run();  // the other process's lock is polled on the real clock
  REQUIRE(result);
  CHECK(waits == 1);
  CHECK(result->ok);
  REQUIRE_FALSE(result->log.empty());
  CHECK(result->log.front() == lost_line(trigger.pid, sent));
  const auto lost = history(*f.store, "Before expiry");
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].message == lost_line(trigger.pid, sent));

  // A run that did not wait asks nothing: nothing is left to tell.
  const auto next = f.run("K", "Refresh", "K-1");
  CHECK(next.ok);
  for (const auto& line : next.log) CHECK_THAT(line, !Catch::Contains("ended before its answer was stored"));
}
