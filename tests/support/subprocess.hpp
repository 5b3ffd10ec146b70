#pragma once
// Child processes for end-to-end tests (the provider, the flow binary). POSIX,
// header-only. stdout and stderr are captured separately by a reader thread, so
// a chatty child never blocks on a full pipe; stdin is a pipe the test writes.
// Or the child runs on a pseudo-terminal (on_terminal), as at a keyboard.
// Every wait is bounded; a child still running when its ChildProcess is
// destroyed is killed, and it also dies with the test process (PR_SET_PDEATHSIG),
// so a crashed test never leaves a server listening.

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace flow::test {

class ChildProcess {
 public:
  /// Starts argv[0] (a path, or a name looked up in PATH) with the test's
  /// environment plus `extra_env` (which wins). Throws std::runtime_error when
  /// the program cannot be executed. `stdout_fd`, when given, is the child's
  /// stdout instead of the captured pipe (which then ends at once): a pipe the
  /// test reads, or does not.
  static ChildProcess start(std::vector<std::string> argv, std::map<std::string, std::string> extra_env = {},
                            int stdout_fd = -1) {
    return launch(std::move(argv), extra_env, pipes(stdout_fd));
  }

  /// Starts argv as start() does, on a new pseudo-terminal, as a user at a
  /// keyboard runs it: it is the child's controlling terminal and its stdin,
  /// stdout and stderr. write_stdin types keys ("\x03", Ctrl-C, is a SIGINT from
  /// the terminal, not a byte of input; "\r" is Enter); stdout is all the
  /// terminal shows, echoed keys and stderr included, lines ending "\r\n";
  /// stderr_text() stays empty.
  static ChildProcess on_terminal(std::vector<std::string> argv, std::map<std::string, std::string> extra_env = {}) {
    return launch(std::move(argv), extra_env, terminal());
  }

  ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }
  ChildProcess& operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
      shut_down();
      pid_ = std::exchange(other.pid_, -1);
      exit_status_ = std::exchange(other.exit_status_, std::nullopt);
      in_fd_ = std::exchange(other.in_fd_, -1);
      out_fd_ = std::exchange(other.out_fd_, -1);
      err_fd_ = std::exchange(other.err_fd_, -1);
      state_ = std::move(other.state_);
      reader_ = std::move(other.reader_);
    }
    return *this;
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { shut_down(); }

  pid_t pid() const { return pid_; }

  /// The next stdout line without its '\n' (a last line without '\n' counts).
  /// Throws std::runtime_error on timeout or when stdout ends first; the message
  /// carries the child's stderr, which usually says why.
  std::string read_line(std::chrono::milliseconds timeout) {
    if (auto line = try_read_line(timeout)) return *line;
    throw std::runtime_error("no line on stdout of pid " + std::to_string(pid_) + " within " +
                             std::to_string(timeout.count()) + " ms; stderr:\n" + stderr_text());
  }

  /// Like read_line, but nullopt on timeout or end of stdout.
  std::optional<std::string> try_read_line(std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    auto& read = state_->out_read;
    auto has_line = [&] { return state_->out.find('\n', read) != std::string::npos || state_->out_eof; };
    if (!state_->changed.wait_for(lock, timeout, has_line)) return std::nullopt;
    const auto newline = state_->out.find('\n', read);
    if (newline == std::string::npos && read == state_->out.size()) return std::nullopt;
    std::string line = state_->out.substr(read, newline == std::string::npos ? std::string::npos : newline - read);
    read = newline == std::string::npos ? state_->out.size() : newline + 1;
    return line;
  }

  /// Waits for the child to close stdout and exit; returns the stdout not read
  /// yet. On timeout the child is killed and std::runtime_error thrown.
  std::string read_all_stdout_until_exit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    {
      std::unique_lock lock(state_->mutex);
      if (!state_->changed.wait_until(lock, deadline, [this] { return state_->out_eof; })) {
        lock.unlock();
        kill_and_reap();
        throw std::runtime_error("pid " + std::to_string(pid_) + " did not finish within " +
                                 std::to_string(timeout.count()) + " ms; stderr:\n" + stderr_text());
      }
    }
    wait(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    std::lock_guard lock(state_->mutex);
    return state_->out.substr(std::exchange(state_->out_read, state_->out.size()));
  }

  /// Everything the child wrote to stderr so far (not consumed by reading).
  std::string stderr_text() const {
    std::lock_guard lock(state_->mutex);
    return state_->err;
  }

  /// The stdout not read yet (by read_line, wait_for_stdout, ...).
  std::string unread_stdout() const {
    std::lock_guard lock(state_->mutex);
    return state_->out.substr(state_->out_read);
  }

  /// Everything the child wrote to stdout so far, read or not: what a failed
  /// test shows.
  std::string stdout_text() const {
    std::lock_guard lock(state_->mutex);
    return state_->out;
  }

  /// Waits until stderr contains `needle`; false on timeout or when stderr ends first.
  /// Whether stderr holds `needle` (at or after byte `from`) within `timeout`.
  bool wait_for_stderr(const std::string& needle, std::chrono::milliseconds timeout, std::size_t from = 0) {
    std::unique_lock lock(state_->mutex);
    return wait_for_text(lock, state_->err, from, state_->err_eof, needle, timeout) != std::string::npos;
  }

  /// Waits until the stdout not read yet contains `needle` (end it with '\n' to
  /// match the end of a line), and reads stdout through it: read_line goes on
  /// after it. False on timeout or when stdout ends first, with nothing read.
  bool wait_for_stdout(const std::string& needle, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    const auto at = wait_for_text(lock, state_->out, state_->out_read, state_->out_eof, needle, timeout);
    if (at == std::string::npos) return false;
    state_->out_read = at + needle.size();
    return true;
  }

  /// Writes to the child's stdin (e.g. REPL input). Throws when the child closed it.
  void write_stdin(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(in_fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("cannot write to stdin of pid " + std::to_string(pid_));
      done += static_cast<std::size_t>(n);
    }
  }
  /// Closes stdin: the child sees end of input (not on a terminal, which
  /// stays open: type "\x04" there).
  void close_stdin() { close_fd(in_fd_); }

  void signal(int signal_number) {
    if (!exit_status_ && pid_ > 0) ::kill(pid_, signal_number);
  }

  bool running() { return !poll_exit(); }

  /// The exit code, or -N when killed by signal N. On timeout the child is
  /// killed with SIGKILL and -SIGKILL returned.
  int wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!poll_exit()) {
      if (std::chrono::steady_clock::now() >= deadline) return kill_and_reap();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // waitpid has no timeout
    }
    // Let the reader collect the last output (bounded: a grandchild may hold the pipes).
    std::unique_lock lock(state_->mutex);
    state_->changed.wait_for(lock, std::chrono::milliseconds(500), [this] { return state_->out_eof && state_->err_eof; });
    return *exit_status_;
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    std::string out, err;
    std::size_t out_read = 0;  // how much of `out` was read: the rest is unread_stdout()
    bool out_eof = false, err_eof = false;
    std::atomic<bool> stop{false};
  };

  /// The fds the child gets as its stdin, stdout and stderr, and the test's
  /// ends of them: it writes `in`; the reader thread reads `out` and `err`.
  struct Wiring {
    int child[3] = {-1, -1, -1};
    std::vector<int> child_only;  // closed in the test once the child has them
    int in = -1, out = -1, err = -1;
    bool terminal = false;  // child[0] is a terminal, to become the child's controlling one
  };

  ChildProcess() = default;

  static ChildProcess launch(std::vector<std::string> argv, const std::map<std::string, std::string>& extra_env,
                             Wiring wiring) {
    if (argv.empty()) throw std::runtime_error("ChildProcess: empty argv");
    ::signal(SIGPIPE, SIG_IGN);  // a dead child's stdin must fail with EPIPE, not kill the test
    ChildProcess child;
    child.state_ = std::make_shared<State>();
    child.state_->err_eof = wiring.err < 0;
    child.spawn(argv, environment_with(extra_env), wiring);
    child.reader_ = std::thread(&ChildProcess::pump, child.state_, child.out_fd_, child.err_fd_);
    child.out_fd_ = child.err_fd_ = -1;  // owned by the reader thread now
    return child;
  }

  /// Three pipes; `stdout_fd`, when given, is the child's stdout instead.
  static Wiring pipes(int stdout_fd) {
    int in[2], out[2], err[2];
    make_pipe(in), make_pipe(out), make_pipe(err);
    Wiring wiring;
    wiring.child[0] = in[0], wiring.child[1] = stdout_fd >= 0 ? stdout_fd : out[1], wiring.child[2] = err[1];
    wiring.child_only = {in[0], out[1], err[1]};
    wiring.in = in[1], wiring.out = out[0], wiring.err = err[0];
    return wiring;
  }

  /// A new pseudo-terminal: the child has its slave end as stdin, stdout and
  /// stderr; the test writes and reads the master end (the writer a duplicate,
  /// so that each end is closed by one owner).
  static Wiring terminal() {
    int master = -1, slave = -1;
    if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0)
      throw std::runtime_error(std::string("openpty: ") + std::strerror(errno));
    ::fcntl(master, F_SETFD, FD_CLOEXEC), ::fcntl(slave, F_SETFD, FD_CLOEXEC);
    Wiring wiring;
    wiring.child[0] = wiring.child[1] = wiring.child[2] = slave;
    wiring.child_only = {slave};
    wiring.in = ::fcntl(master, F_DUPFD_CLOEXEC, 0), wiring.out = master;
    wiring.terminal = true;
    return wiring;
  }

  /// Waits, `lock` held on the state, until `text` (a stream's buffer) contains
  /// `needle` at `from` or after, or the stream ended (`eof`); the needle's
  /// offset, npos when not there.
  std::size_t wait_for_text(std::unique_lock<std::mutex>& lock, const std::string& text, std::size_t from,
                            const bool& eof, const std::string& needle, std::chrono::milliseconds timeout) {
    state_->changed.wait_for(lock, timeout, [&] { return text.find(needle, from) != std::string::npos || eof; });
    return text.find(needle, from);
  }

  static std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> merged;
    for (char** entry = environ; *entry; ++entry) {
      std::string text(*entry);
      auto equals = text.find('=');
      if (equals != std::string::npos) merged[text.substr(0, equals)] = text.substr(equals + 1);
    }
    for (const auto& [name, value] : extra) merged[name] = value;
    std::vector<std::string> env;
    for (const auto& [name, value] : merged) env.push_back(name + "=" + value);
    return env;
  }

  static std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (auto& s : strings) pointers.push_back(s.data());
    pointers.push_back(nullptr);
    return pointers;
  }

  static void make_pipe(int fds[2]) {
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }

  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  /// fork + exec. Everything is prepared before fork: between fork and exec the
  /// child only makes async-signal-safe calls (the test process has threads).
  void spawn(std::vector<std::string> argv, std::vector<std::string> env, const Wiring& wiring) {
    auto arg_pointers = c_strings(argv);
    auto env_pointers = c_strings(env);
    int status[2];
    make_pipe(status);
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      // An ignored signal stays ignored across exec: the child starts with
      // SIGPIPE as a shell would give it, not as this test process set it.
      struct sigaction default_action {};
      default_action.sa_handler = SIG_DFL;
      ::sigaction(SIGPIPE, &default_action, nullptr);
      // A terminal's keys signal the child's session: it leads a new one, whose terminal it is.
      if (wiring.terminal) ::setsid(), ::ioctl(wiring.child[0], TIOCSCTTY, 0);
      for (int fd = 0; fd < 3; ++fd) ::dup2(wiring.child[fd], fd);
      ::execvpe(arg_pointers[0], arg_pointers.data(), env_pointers.data());
      int error = errno;
      [[maybe_unused]] auto ignored = ::write(status[1], &error, sizeof error);
      ::_exit(127);
    }
    for (const int fd : wiring.child_only) ::close(fd);
    ::close(status[1]);
    in_fd_ = wiring.in, out_fd_ = wiring.out, err_fd_ = wiring.err;
    int exec_error = 0;
    ssize_t n;
    while ((n = ::read(status[0], &exec_error, sizeof exec_error)) < 0 && errno == EINTR) {
    }
    ::close(status[0]);
    if (n > 0) {
      wait(std::chrono::milliseconds(1000));
      throw std::runtime_error("cannot execute " + argv[0] + ": " + std::strerror(exec_error));
    }
  }

  /// The reader thread: moves both pipes into the buffers until both end or stop.
  static void pump(std::shared_ptr<State> state, int out_fd, int err_fd) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};  // poll skips a negative fd (no stderr)
    int open_count = (out_fd >= 0) + (err_fd >= 0);
    char chunk[4096];
    while (open_count > 0 && !state->stop) {
      if (::poll(fds, 2, 50) <= 0) continue;  // the 50 ms tick only bounds reaction to `stop`
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        ssize_t n = ::read(fds[i].fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        std::lock_guard lock(state->mutex);
        if (n > 0) {
          (i == 0 ? state->out : state->err).append(chunk, static_cast<std::size_t>(n));
        } else {  // the end, or EIO: a terminal whose child end every process closed
          (i == 0 ? state->out_eof : state->err_eof) = true;
          ::close(fds[i].fd);
          fds[i].fd = -1;
          --open_count;
        }
        state->changed.notify_all();
      }
    }
    for (auto& fd : fds) close_fd(fd.fd);
    std::lock_guard lock(state->mutex);
    state->out_eof = state->err_eof = true;
    state->changed.notify_all();
  }

  bool poll_exit() {
    if (exit_status_) return true;
    if (pid_ <= 0) return true;
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == 0) return false;
    if (done < 0) {
      exit_status_ = -1;
      return true;
    }
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return true;
  }

  int kill_and_reap() {
    if (poll_exit()) return *exit_status_;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return *exit_status_;
  }

  void shut_down() {
    if (pid_ > 0) kill_and_reap();
    close_fd(in_fd_), close_fd(out_fd_), close_fd(err_fd_);
    if (state_) state_->stop = true;
    if (reader_.joinable()) reader_.join();
  }

  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  int in_fd_ = -1, out_fd_ = -1, err_fd_ = -1;
  std::shared_ptr<State> state_;
  std::thread reader_;
};

}  // namespace flow::test
