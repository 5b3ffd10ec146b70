// The daemon's stdout as the world treats it: a reader that goes away (a log
// shipper restarting, `| head`), a reader that stops reading. Neither may
// stop the refreshes: a refresh cut short can lose a rotated token.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>

#include "e2e/e2e_support.hpp"

using namespace flow;
using namespace flow::e2e;
using flow::testing::TempDir;

namespace {

/// A pipe for a child's stdout; the test holds the read end.
struct StdoutPipe {
  int read_fd = -1;
  int write_fd = -1;

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

}  // namespace

TEST_CASE("flow run whose stdout reader exits keeps running and refreshing", "[e2e]") {
  auto provider = start_seed_provider();
  TempDir dir;
  const auto file = write_seed(dir, "every 1 seconds;");
  const auto db = dir.file("flow.db");
  StdoutPipe out;
  auto daemon = test::ChildProcess::start({flow_binary(), "run", file, "--db", db, "--for", "5s"},
                                          seed_env(provider), out.write_fd);
  out.close_write();
  INFO(daemon.stderr_text());
  REQUIRE_THAT(out.read_line(std::chrono::seconds(10)), Catch::Contains("running 1 schedule(s)"));
  out.close_read();  // the reader goes away: every later write gets EPIPE (SIGPIPE by default)
  const int before = refreshes(provider);

  const int code = daemon.wait(std::chrono::seconds(30));
  INFO(daemon.stderr_text());
  CHECK(code == 0);  // not -SIGPIPE
  CHECK(refreshes(provider) >= before + 3);  // about one a second until --for ends
  CHECK(provider_stats(provider).at("invalid_grants").get<int>() == 0);

  // The last rotated token was stored: the next refresh by hand succeeds.
  const auto trigger = run_flow({"trigger", file, "TokenKeeper.Refresh", "--id", "TK-1", "--db", db},
                                seed_env(provider));
  INFO(trigger.out << trigger.err);
  CHECK(trigger.code == 0);
  CHECK(provider_stats(provider).at("invalid_grants").get<int>() == 0);
}
