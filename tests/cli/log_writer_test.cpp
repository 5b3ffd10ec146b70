// The daemon's log writer: lines in the order written, never a wait for the
// reader, drops counted and said where they happened, a bounded finish.
#include "engine/cli/log_writer.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using flow::cli::LogChannel;
using flow::cli::LogSink;
using flow::cli::LogWriter;

namespace {

/// Sinks that record what they are given, in one list for both channels, and
/// write nothing while the gate is closed (a reader that does not read).
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = true;
  std::vector<std::string> written;

  void set_open(bool value) {
    std::lock_guard lock(mutex);
    open = value;
    changed.notify_all();
  }
  /// Waits (bounded) until `count` texts were written.
  bool wait_written(std::size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return written.size() >= count; });
  }
  std::vector<std::string> texts() {
    std::lock_guard lock(mutex);
    return written;
  }
};

class GatedSink final : public LogSink {
 public:
  GatedSink(std::shared_ptr<Gate> gate, std::string prefix, bool gone = false)
      : gate_(std::move(gate)), prefix_(std::move(prefix)), gone_(gone) {}
  bool write(std::string_view text) override {
    std::unique_lock lock(gate_->mutex);
    gate_->changed.wait(lock, [&] { return gate_->open; });
    if (gone_) return false;
    gate_->written.push_back(prefix_ + std::string(text));
    gate_->changed.notify_all();
    return true;
  }

 private:
  std::shared_ptr<Gate> gate_;
  std::string prefix_;
  bool gone_;
};

}  // namespace

TEST_CASE("log writer: lines of both streams in the order written, a last partial line at finish") {
  auto gate = std::make_shared<Gate>();
  LogWriter log(std::make_unique<GatedSink>(gate, "out: "), std::make_unique<GatedSink>(gate, "err: "));
  log.out() << "one\ntwo" << 2 << "\n";
  log.err() << "warning\n";
  log.out() << "three\n" << std::flush << "unfinished";
  CHECK(log.finish(std::chrono::seconds(10)));
  CHECK(gate->texts() ==
        std::vector<std::string>{"out: one\n", "out: two2\n", "err: warning\n", "out: three\n", "out: unfinished"});
  log.out() << "after finish\n";  // dropped, not written
  CHECK(gate->texts().size() == 5);
}

TEST_CASE("log writer: a full queue drops lines, never waits, and says how many where they went missing") {
  auto gate = std::make_shared<Gate>();
  gate->set_open(false);
  LogWriter log(std::make_unique<GatedSink>(gate, ""), std::make_unique<GatedSink>(gate, "err: "), 100);
  // 9 bytes a line: eleven fit in 100 (the one being written counts), the
  // other 39 are dropped, and writing them does not wait for the sink.
  char line[16];
  for (int i = 0; i < 50; ++i) {
    std::snprintf(line, sizeof line, "line %03d\n", i);
    log.out() << line;
  }
  gate->set_open(true);
  REQUIRE(gate->wait_written(11));
  log.out() << "last\n";
  CHECK(log.finish(std::chrono::seconds(10)));
  const auto texts = gate->texts();
  REQUIRE(texts.size() == 13);
  CHECK(texts[0] == "line 000\n");
  CHECK(texts[10] == "line 010\n");
  CHECK(texts[11] == "flow: 39 lines of stdout dropped here: it was not read fast enough\n");
  CHECK(texts[12] == "last\n");
}

TEST_CASE("log writer: drops still unsaid at finish are said last") {
  auto gate = std::make_shared<Gate>();
  gate->set_open(false);
  LogWriter log(std::make_unique<GatedSink>(gate, ""), std::make_unique<GatedSink>(gate, "err: "), 20);
  log.err() << "first line\n" << "second line\n";
  gate->set_open(true);
  CHECK(log.finish(std::chrono::seconds(10)));
  CHECK(gate->texts() == std::vector<std::string>{"err: first line\n",
                                                  "err: flow: 1 line of stderr dropped here: it was not read fast "
                                                  "enough\n"});
}

TEST_CASE("log writer: finish waits a bounded time for a sink that never takes the text") {
  auto gate = std::make_shared<Gate>();
  gate->set_open(false);
  {
    LogWriter log(std::make_unique<GatedSink>(gate, ""), std::make_unique<GatedSink>(gate, ""));
    log.out() << "stuck\n";
    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(log.finish(std::chrono::milliseconds(200)));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  }  // the writer is gone; its thread is not
  gate->set_open(true);  // the reader is back: the left thread writes and ends
  CHECK(gate->wait_written(1));
}

TEST_CASE("log writer: a sink that is gone is not written again, and the other channel says so once") {
  auto gate = std::make_shared<Gate>();
  LogWriter log(std::make_unique<GatedSink>(gate, "out: ", true), std::make_unique<GatedSink>(gate, "err: "));
  log.out() << "a\nb\n";
  log.err() << "c\n";
  CHECK(log.finish(std::chrono::seconds(10)));
  CHECK(gate->texts() == std::vector<std::string>{
                             "err: flow: stdout is closed (its reader went away): its lines are dropped from now on\n",
                             "err: c\n"});
}

TEST_CASE("log writer: fd_sink writes with write(2), and a pipe whose reader left is gone") {
  std::signal(SIGPIPE, SIG_IGN);  // as flow's main does
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  auto sink = flow::cli::fd_sink(fds[1]);
  CHECK(sink->write("hello\n"));
  char buffer[16] = {};
  CHECK(::read(fds[0], buffer, sizeof buffer) == 6);
  CHECK(std::string(buffer) == "hello\n");
  ::close(fds[0]);
  CHECK_FALSE(sink->write("nobody\n"));
  ::close(fds[1]);
}

TEST_CASE("log writer: sink_for writes other streams as streams") {
  std::ostringstream out, err;
  {
    LogWriter log(flow::cli::sink_for(out), flow::cli::sink_for(err));
    log.out() << "to out\n";
    log.err() << "to err\n";
  }  // the destructor finishes
  CHECK(out.str() == "to out\n");
  CHECK(err.str() == "to err\n");
}
