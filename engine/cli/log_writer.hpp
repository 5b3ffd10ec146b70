#pragma once
// The daemon's output, written off its io thread. `flow run` logs every run;
// written in line on the one io thread, a stdout that nobody reads (a full
// pipe) would stop every schedule with it, and `--for` and SIGTERM too. Lines
// go into a bounded queue instead, which a thread of its own writes out in the
// order they came, stdout and stderr alike. When the queue is full, lines are
// dropped and counted, and one line says how many where they went missing.

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <thread>

namespace flow::cli {

/// Where a LogWriter's text goes. Only the writer's thread calls it.
class LogSink {
 public:
  virtual ~LogSink() = default;
  /// Writes `text` whole, or drops it; may wait while the reader is slow.
  /// False once the destination is gone for good (a reader that exited):
  /// everything after is dropped without trying.
  virtual bool write(std::string_view text) = 0;
};

/// write(2) on `fd`, not stdio: a writer stuck on a reader that never reads
/// holds no stdio lock or buffer that exit() would wait on. EPIPE (SIGPIPE is
/// ignored) or a closed fd: gone; any other error drops that text only.
std::unique_ptr<LogSink> fd_sink(int fd);
/// `stream` (tests), flushed after each text. The stream must outlive the writer.
std::unique_ptr<LogSink> stream_sink(std::ostream& stream);
/// std::cout and std::cerr as fd_sink(1) and fd_sink(2), once what they hold
/// is flushed; any other stream as stream_sink.
std::unique_ptr<LogSink> sink_for(std::ostream& stream);

enum class LogChannel { out, err };

class LogWriter {
 public:
  /// How much text may wait (the line being written included); more is dropped.
  static constexpr std::size_t kDefaultCapacity = std::size_t{1} << 20;
  /// How long finish() waits when the destructor calls it.
  static constexpr std::chrono::milliseconds kDefaultFinishWait{3000};

  LogWriter(std::unique_ptr<LogSink> out, std::unique_ptr<LogSink> err, std::size_t capacity = kDefaultCapacity);
  /// finish(kDefaultFinishWait) unless it was called.
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  /// Streams that queue their text a line at a time (at each '\n', and what
  /// is left at a flush). Writing to them never waits for the sinks.
  std::ostream& out() { return out_stream_; }
  std::ostream& err() { return err_stream_; }

  /// Queues `text` for `channel`; drops it, counted, when the queue is full
  /// or the writer has finished.
  void write(LogChannel channel, std::string text);

  /// Queues what the streams still hold and waits up to `wait` for the queue
  /// to be written. True when it was; false when the sinks are stuck: the
  /// thread is then left to itself (it ends with the process) and later text
  /// is dropped. Called again, the first call's answer.
  bool finish(std::chrono::milliseconds wait);

 private:
  /// A streambuf that hands complete lines to the writer.
  class LineBuffer : public std::streambuf {
   public:
    LineBuffer(LogWriter& writer, LogChannel channel) : writer_(writer), channel_(channel) {}

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* text, std::streamsize count) override;
    int sync() override;

   private:
    LogWriter& writer_;
    LogChannel channel_;
    std::string pending_;
  };

  struct Shared;  // the queue and the sinks: the thread may outlive the writer
  static void drain(std::shared_ptr<Shared> shared);

  std::shared_ptr<Shared> shared_;
  std::thread thread_;
  bool drained_ = true;  // what finish() found
  LineBuffer out_buffer_{*this, LogChannel::out};
  LineBuffer err_buffer_{*this, LogChannel::err};
  std::ostream out_stream_{&out_buffer_};
  std::ostream err_stream_{&err_buffer_};
};

}  // namespace flow::cli
