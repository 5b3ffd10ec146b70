// `flow repl` on a pseudo-terminal, as a user at a keyboard runs it: libedit
// reads the keys, and Ctrl-C is a SIGINT from the terminal.
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <optional>
#include <thread>

#include "e2e/e2e_support.hpp"

using namespace flow;
using flow::testing::TempDir;

namespace {

constexpr const char* kBumper = R"(process Counter {
  field A number = 0;
  on Bump { set A = A + 1; log "bumped to ${A}"; save; }
}
)";

}  // namespace

namespace {

/// `flow repl` on a pseudo-terminal, as at a keyboard: libedit reads the keys,
/// and Ctrl-C is a SIGINT from the terminal, not a byte of input.
class PtyRepl {
 public:
  explicit PtyRepl(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_ = ::forkpty(&fd_, nullptr, nullptr, nullptr);
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~PtyRepl() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(fd_);
  }
  PtyRepl(const PtyRepl&) = delete;
  PtyRepl& operator=(const PtyRepl&) = delete;

  void type(const std::string& keys) { REQUIRE(::write(fd_, keys.data(), keys.size()) == ssize_t(keys.size())); }
  void signal(int number) { ::kill(pid_, number); }

  /// Reads until the output holds `text` past what earlier calls consumed, for 30 s at most.
  bool wait_for(const std::string& text) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      if (const auto at = output.find(text, consumed_); at != std::string::npos) {
        consumed_ = at + text.size();
        return true;
      }
      if (std::chrono::steady_clock::now() >= give_up || !read_some()) return false;
    }
  }
  /// The exit status once it ended (reading what it still writes), for 30 s at most.
  std::optional<int> wait_exit() {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!status_ && std::chrono::steady_clock::now() < give_up) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
      else if (!read_some()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status_;
  }

  std::string output;

 private:
  bool read_some() {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) return true;  // nothing yet
    char buffer[4096];
    const ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) return false;  // the terminal's other end closed: it ended
    output.append(buffer, std::size_t(n));
    return true;
  }

  int fd_ = -1;
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::size_t consumed_ = 0;
};

/// kBumper written in `dir`, and the command that runs the REPL on it.
std::vector<std::string> repl_command(TempDir& dir) {
  const auto file = dir.file("counter.flow");
  e2e::write_text(file, kBumper);
  return {e2e::flow_binary(), "repl", file, "--db", dir.file("flow.db")};
}

/// The REPL on kBumper on a terminal, a new Counter previewed.
struct Previewing {
  Previewing() {
    repl.type(":new Counter\r");
    REQUIRE(repl.wait_for("new Counter (unsaved preview)"));
  }
  /// Whether it ended by itself, exit 0 (not killed by a signal), within 30 s.
  bool exits_cleanly() {
    const auto status = repl.wait_exit();
    return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
  }

  TempDir dir;
  PtyRepl repl{repl_command(dir)};
};

}  // namespace

TEST_CASE_METHOD(Previewing, "repl on a terminal: Ctrl-C drops the line being typed and the prompt comes back", "[repl]") {
  repl.type("set A = 7");
  REQUIRE(repl.wait_for("set A = 7"));  // echoed: typed, not entered
  repl.type("\x03");
  INFO(repl.output);
  REQUIRE(repl.wait_for("^C"));
  repl.type("if A == 0 {\r");  // a rule of several lines, not ended
  REQUIRE(repl.wait_for("....> "));
  repl.type("\x03");
  REQUIRE(repl.wait_for("^C"));
  repl.type("A + 6 * 7\r");  // A is still 0, and the `if` was dropped with its line
  CHECK(repl.wait_for("\n42"));
  repl.type(":quit\r");
  CHECK(exits_cleanly());
}

TEST_CASE_METHOD(Previewing, "repl on a terminal: SIGHUP or SIGTERM at the prompt ends it as the end of input does",
                 "[repl]") {
  const int number = GENERATE(SIGHUP, SIGTERM);
  repl.type(":click Bump\r");  // saved: Counter-1, revision 1
  REQUIRE(repl.wait_for("bumped to 1"));
  REQUIRE(repl.wait_for("flow> "));
  repl.signal(number);
  const bool clean = exits_cleanly();  // not killed by the signal
  INFO(repl.output);
  CHECK(clean);
  CHECK(open_sqlite_store(dir.file("flow.db"))->load_instance("Counter-1")->fields.at("A") == Value(1.0));
}
