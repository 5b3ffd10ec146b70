#pragma once
// Child processes for end-to-end tests (the provider, the flow binary). POSIX,
// header-only. stdout and stderr are captured separately by a reader thread, so
// a chatty child never blocks on a full pipe; stdin is a pipe the test writes.
// Every wait is bounded; a child still running when its ChildProcess is
// destroyed is killed, and it also dies with the test process (PR_SET_PDEATHSIG),
// so a crashed test never leaves a server listening.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
    if (argv.empty()) throw std::runtime_error("ChildProcess::start: empty argv");
    ::signal(SIGPIPE, SIG_IGN);  // a dead child's stdin must fail with EPIPE, not kill the test
    ChildProcess child;
    child.state_ = std::make_shared<State>();
    child.spawn(argv, environment_with(extra_env), stdout_fd);
    child.reader_ = std::thread(&ChildProcess::pump, child.state_, child.out_fd_, child.err_fd_);
    child.out_fd_ = child.err_fd_ = -1;  // owned by the reader thread now
    return child;
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
    auto has_line = [this] { return state_->out.find('\n') != std::string::npos || state_->out_eof; };
    if (!state_->changed.wait_for(lock, timeout, has_line)) return std::nullopt;
    auto newline = state_->out.find('\n');
    if (newline == std::string::npos) {
      if (state_->out.empty()) return std::nullopt;
      return std::exchange(state_->out, {});
    }
    std::string line = state_->out.substr(0, newline);
    state_->out.erase(0, newline + 1);
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
    return std::exchange(state_->out, {});
  }

  /// Everything the child wrote to stderr so far (not consumed by reading).
  std::string stderr_text() const {
    std::lock_guard lock(state_->mutex);
    return state_->err;
  }

  /// The stdout not read yet (by read_line, wait_for_stdout, ...).
  std::string unread_stdout() const {
    std::lock_guard lock(state_->mutex);
    return state_->out;
  }

  /// Waits until stderr contains `needle`; false on timeout or when stderr ends first.
  bool wait_for_stderr(const std::string& needle, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    return wait_for_text(lock, state_->err, state_->err_eof, needle, timeout) != std::string::npos;
  }

  /// Waits until the stdout not read yet contains `needle` (end it with '\n' to
  /// match the end of a line), and reads stdout through it: read_line goes on
  /// after it. False on timeout or when stdout ends first, with nothing read.
  bool wait_for_stdout(const std::string& needle, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    const auto at = wait_for_text(lock, state_->out, state_->out_eof, needle, timeout);
    if (at == std::string::npos) return false;
    state_->out.erase(0, at + needle.size());
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
  /// Closes stdin: the child sees end of input.
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
    bool out_eof = false, err_eof = false;
    std::atomic<bool> stop{false};
  };

  ChildProcess() = default;

  /// Waits, `lock` held on the state, until `text` (a stream's buffer) contains
  /// `needle` or the stream ended (`eof`); the needle's offset, npos when not there.
  std::size_t wait_for_text(std::unique_lock<std::mutex>& lock, const std::string& text, const bool& eof,
                            const std::string& needle, std::chrono::milliseconds timeout) {
    state_->changed.wait_for(lock, timeout, [&] { return text.find(needle) != std::string::npos || eof; });
    return text.find(needle);
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
  void spawn(std::vector<std::string> argv, std::vector<std::string> env, int stdout_fd) {
    auto arg_pointers = c_strings(argv);
    auto env_pointers = c_strings(env);
    int in[2], out[2], err[2], status[2];
    make_pipe(in), make_pipe(out), make_pipe(err), make_pipe(status);
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
      ::dup2(in[0], 0), ::dup2(stdout_fd >= 0 ? stdout_fd : out[1], 1), ::dup2(err[1], 2);
      ::execvpe(arg_pointers[0], arg_pointers.data(), env_pointers.data());
      int error = errno;
      [[maybe_unused]] auto ignored = ::write(status[1], &error, sizeof error);
      ::_exit(127);
    }
    ::close(in[0]), ::close(out[1]), ::close(err[1]), ::close(status[1]);
    in_fd_ = in[1], out_fd_ = out[0], err_fd_ = err[0];
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
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    int open_count = 2;
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
        } else {
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
