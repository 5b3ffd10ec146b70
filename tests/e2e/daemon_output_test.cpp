// The daemon's stdout as the world treats it: a reader that goes away (a log
// shipper restarting, `| head`), a reader that stops reading. Neither may
// stop the refreshes: a refresh cut short can lose a rotated token.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "e2e/e2e_support.hpp"

using namespace flow;
using namespace flow::e2e;

namespace {

/// A pipe for a child's stdout; the test holds the read end.
struct StdoutPipe {
  int read_fd = -1;
  int write_fd = -1;
  std::size_t filled = 0;  // bytes fill() wrote

  StdoutPipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    read_fd = fds[0];
    write_fd = fds[1];
  }
  ~StdoutPipe() {
    close_read();
    close_write();
  }
  StdoutPipe(const StdoutPipe&) = delete;
  StdoutPipe& operator=(const StdoutPipe&) = delete;

  /// The pipe as small as Linux makes one (a page) and already full, as if a
  /// reader had stopped reading: the child's first write waits.
  void fill() {
    ::fcntl(write_fd, F_SETPIPE_SZ, 4096);
    const int flags = ::fcntl(write_fd, F_GETFL);
    ::fcntl(write_fd, F_SETFL, flags | O_NONBLOCK);  // the child must not inherit it: cleared below
    const std::string filler(63, '#');
    while (::write(write_fd, (filler + "\n").data(), filler.size() + 1) > 0) filled += filler.size() + 1;
    ::fcntl(write_fd, F_SETFL, flags);
  }

  /// Everything the pipe holds now, without waiting for more.
  std::string read_available() {
    std::string text;
    char chunk[4096];
    pollfd ready{read_fd, POLLIN, 0};
    while (::poll(&ready, 1, 0) > 0 && (ready.revents & POLLIN)) {
      const ssize_t n = ::read(read_fd, chunk, sizeof chunk);
      if (n <= 0) break;
      text.append(chunk, static_cast<std::size_t>(n));
    }
    return text;
  }

  void close_read() { close_fd(read_fd); }
  /// The child has its copy: the test's must go, or the reader never sees the end.
  void close_write() { close_fd(write_fd); }

  /// Reads up to the first '\n' (bounded by `timeout`); what was read.
  std::string read_line(std::chrono::milliseconds timeout) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char c = 0;
    while (text.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd ready{read_fd, POLLIN, 0};
      if (::poll(&ready, 1, 100) <= 0) continue;
      if (::read(read_fd, &c, 1) != 1) break;
      text += c;
    }
    return text;
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

int refreshes(const test::RunningProvider& provider) { return provider_stats(provider).at("refreshes").get<int>(); }

/// `flow run` on `seed`'s store for `how_long`, its stdout into `out`; the
/// test's copy of the write end is closed once the child has its own.
test::ChildProcess start_daemon(const SeedScenario& seed, const std::string& how_long, StdoutPipe& out) {
  auto argv = seed.run(how_long);
  argv.insert(argv.begin(), flow_binary());
  auto daemon = test::ChildProcess::start(std::move(argv), seed.env, out.write_fd);
  out.close_write();
  return daemon;
}

}  // namespace

TEST_CASE("flow run whose stdout reader exits keeps running and refreshing", "[e2e]") {
  const SeedScenario seed("every 1 seconds;");
  StdoutPipe out;
  auto daemon = start_daemon(seed, "5s", out);
  INFO(daemon.stderr_text());
  REQUIRE_THAT(out.read_line(std::chrono::seconds(10)), Catch::Contains("running 1 schedule(s)"));
  out.close_read();  // the reader goes away: every later write gets EPIPE (SIGPIPE by default)
  const int before = refreshes(seed.provider);

  const int code = daemon.wait(std::chrono::seconds(30));
  INFO(daemon.stderr_text());
  CHECK(code == 0);  // not -SIGPIPE
  // Said once, where it can still be read.
  CHECK(count_of(daemon.stderr_text(), "flow: stdout is closed (its reader went away): its lines are dropped") == 1);
  CHECK(refreshes(seed.provider) >= before + 3);  // about one a second until --for ends
  CHECK(provider_stats(seed.provider).at("invalid_grants").get<int>() == 0);

  // The last rotated token was stored: the next refresh by hand succeeds.
  const auto trigger = run_flow(seed.trigger(), seed.env);
  INFO(trigger.out << trigger.err);
  CHECK(trigger.code == 0);
  CHECK(provider_stats(seed.provider).at("invalid_grants").get<int>() == 0);
}

TEST_CASE("flow run whose stdout nobody reads keeps refreshing, and stops on time with --for", "[e2e]") {
  const SeedScenario seed("every 1 seconds;");
  StdoutPipe out;
  out.fill();
  const auto started = std::chrono::steady_clock::now();
  auto daemon = start_daemon(seed, "4s", out);

  const int code = daemon.wait(std::chrono::seconds(20));
  const auto took = std::chrono::steady_clock::now() - started;
  INFO(daemon.stderr_text());
  CHECK(code == 0);  // not killed by wait() after 20 s
  // --for, plus the bounded wait for the log lines at exit, plus start-up.
  CHECK(took < std::chrono::seconds(12));
  CHECK(refreshes(seed.provider) >= 3);  // about one a second though no line could be written
  CHECK(provider_stats(seed.provider).at("invalid_grants").get<int>() == 0);
}

TEST_CASE("flow run whose stdout reader stalls, then reads again, gets every line in order", "[e2e]") {
  const SeedScenario seed("every 1 seconds;");
  StdoutPipe out;
  out.fill();
  auto daemon = start_daemon(seed, "5s", out);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  INFO(daemon.stderr_text());
  CHECK(refreshes(seed.provider) >= 2);  // the schedule ran while the log waited

  std::string text;  // the reader is back: it reads until the daemon ends
  while (daemon.running()) {
    text += out.read_available();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(daemon.wait(std::chrono::seconds(5)) == 0);
  text += out.read_available();
  REQUIRE(text.size() > out.filled);
  const auto log = text.substr(out.filled);
  INFO(log);
  const auto first = log.find(" running 1 schedule(s)");
  const auto run = log.find(" Refresh access token: TokenKeeper TK-1 ok\n    create_item ");
  const auto stopped = log.find(" stopped\n");
  CHECK(first < run);
  CHECK(run < stopped);
  CHECK(stopped != std::string::npos);
  CHECK(log.ends_with(" stopped\n"));
  CHECK(count_of(log, "TK-1 ok") == static_cast<std::size_t>(refreshes(seed.provider)));
  CHECK(count_of(log, "dropped") == 0);
}

TEST_CASE("flow run that fails with its stdout and stderr both stuck exits anyway, with its error code", "[e2e]") {
  // The store cannot be opened: a fatal error, after the log writer has
  // started. Its message goes the way of every other line, never straight to
  // a stderr that nobody reads (which would hang the process for good).
  TempDir dir;
  const auto file = write_seed(dir);
  StdoutPipe out;
  out.fill();
  const auto started = std::chrono::steady_clock::now();
  auto daemon = test::ChildProcess::start({"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1", flow_binary(), "run", file,
                                           "--db", dir.file("missing/dir/flow.db")},
                                          {}, out.write_fd);
  out.close_write();
  const int code = daemon.wait(std::chrono::seconds(20));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(code == 2);  // a store error; not killed by wait() after 20 s
  CHECK(took < std::chrono::seconds(12));  // the bounded wait for the log at exit, and start-up
  // (Nobody read in time, so the message is lost with the rest of the queue.)
}

TEST_CASE("flow run that fails tells why on its stderr, through the log writer", "[e2e]") {
  TempDir dir;
  const auto file = write_seed(dir);
  const auto result = run_flow({"run", file, "--db", dir.file("missing/dir/flow.db")});
  CHECK(result.code == 2);
  CHECK(result.out.empty());
  CHECK(result.err == "flow: store error: store " + dir.file("missing/dir/flow.db") +
                          ": cannot open: unable to open database file: its directory " + dir.file("missing/dir") +
                          " does not exist\n");
}

TEST_CASE("flow run whose only task is deleted says so and why it stops, and so does the next start", "[e2e]") {
  const SeedScenario seed("every 1 seconds;");
  const std::string deleted = "task \"Refresh access token\": deleted (flow tasks delete); it runs no more: flow tasks "
                              "resume 'Refresh access token' FILE... brings it back, from the daemon's next start\n";
  auto daemon = start_flow(seed.run("60s"), seed.env);
  INFO(daemon.stderr_text());
  REQUIRE(daemon.wait_for_stdout("TK-1 ok\n", std::chrono::seconds(20)));
  const auto deletion = run_flow({"tasks", "delete", "Refresh access token", "--db", seed.db});
  INFO(deletion.err);
  CHECK(deletion.code == 0);
  const auto rest = daemon.read_all_stdout_until_exit(std::chrono::seconds(20));  // long before --for ends
  CHECK(daemon.wait(std::chrono::seconds(5)) == 0);
  CHECK_THAT(rest, Catch::Contains(deleted));
  CHECK_THAT(rest, Catch::EndsWith(" stopped: no schedule left to run\n"));

  const auto again = run_flow(seed.run("60s"), seed.env);
  CHECK(again.code == 0);
  CHECK_THAT(again.out, Catch::Contains(deleted));
  CHECK_THAT(again.out, Catch::EndsWith(" stopped: no schedule left to run\n"));
  CHECK(count_of(again.out, "TK-1 ok") == 0);
}

TEST_CASE("flow run after an invalid_grant says it is not retried and what a person must do", "[e2e]") {
  const SeedScenario seed("every 55 minutes;", {"--invalid-grant-next-n", "1"});
  auto daemon = start_flow(seed.run(), seed.env);
  INFO(daemon.stderr_text());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (daemon.unread_stdout().find(" next run at ") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  daemon.signal(SIGTERM);
  const auto out = daemon.read_all_stdout_until_exit(std::chrono::seconds(20));
  CHECK(daemon.wait(std::chrono::seconds(5)) == 0);
  INFO(out);
  const auto failed = out.find(" Refresh access token: TokenKeeper TK-1 FAILED\n");
  const auto hint = out.find("    the provider refused the refresh token (invalid_grant): no retry can mend that; a "
                             "person must put in a new one: flow repl " + seed.file + " --db " + seed.db +
                             " then :open TK-1, set RefreshToken = \"...\", :save\n");
  const auto next = out.find(" task \"Refresh access token\": not retried: the failure is not transient (only a "
                             "network error, 5xx or 429 is); next run at ");
  REQUIRE(failed != std::string::npos);
  REQUIRE(hint != std::string::npos);
  REQUIRE(next != std::string::npos);
  CHECK(failed < hint);
  CHECK(hint < next);
  CHECK(count_of(out, "invalid_grant): no retry") == 1);
  CHECK(count_of(out, kInitialRefresh) == 0);  // no secret in the hint
  CHECK(count_of(out, kClientSecret) == 0);
}

TEST_CASE("flow trigger and flow tasks run after an invalid_grant say what a person must do", "[e2e]") {
  const SeedScenario seed("every 55 minutes;", {"--invalid-grant-next-n", "2"});
  const std::string hint =
      "flow: the provider refused the refresh token (invalid_grant): no retry can mend that; a person must put in a "
      "new one: flow repl " + seed.file + " --db " + seed.db + " then :open TK-1, set RefreshToken = \"...\", :save\n";
  const auto triggered = run_flow(seed.trigger(), seed.env);
  INFO(triggered.err);
  CHECK(triggered.code == 1);
  CHECK_THAT(triggered.err, Catch::Contains("HTTP 400"));
  CHECK_THAT(triggered.err, Catch::EndsWith(hint));
  const auto by_hand = run_flow({"tasks", "run", seed.file, "Refresh access token", "--db", seed.db}, seed.env);
  INFO(by_hand.err);
  CHECK(by_hand.code == 1);
  CHECK_THAT(by_hand.err, Catch::EndsWith(hint));
  CHECK(count_of(triggered.err + by_hand.err, kInitialRefresh) == 0);  // no secret in the hint
}
