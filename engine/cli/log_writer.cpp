#include "engine/cli/log_writer.hpp"

#include <array>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <utility>

#include <poll.h>
#include <unistd.h>

namespace flow::cli {

namespace {

class FdSink final : public LogSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}

  bool write(std::string_view text) override {
    while (!text.empty()) {
      const ssize_t written = ::write(fd_, text.data(), text.size());
      if (written > 0) {
        text.remove_prefix(static_cast<std::size_t>(written));
        continue;
      }
      if (written < 0 && errno == EINTR) continue;
      if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {  // an fd someone made non-blocking
        pollfd ready{fd_, POLLOUT, 0};
        ::poll(&ready, 1, -1);
        continue;
      }
      return !(written < 0 && (errno == EPIPE || errno == EBADF));  // else: a full disk, say; later text may go
    }
    return true;
  }

 private:
  int fd_;
};

class StreamSink final : public LogSink {
 public:
  explicit StreamSink(std::ostream& stream) : stream_(stream) {}

  bool write(std::string_view text) override {
    stream_ << text;
    stream_.flush();
    return static_cast<bool>(stream_);
  }

 private:
  std::ostream& stream_;
};

const char* channel_name(LogChannel channel) { return channel == LogChannel::out ? "stdout" : "stderr"; }

}  // namespace

std::unique_ptr<LogSink> fd_sink(int fd) { return std::make_unique<FdSink>(fd); }

std::unique_ptr<LogSink> stream_sink(std::ostream& stream) { return std::make_unique<StreamSink>(stream); }

std::unique_ptr<LogSink> sink_for(std::ostream& stream) {
  if (&stream != &std::cout && &stream != &std::cerr) return stream_sink(stream);
  stream.flush();  // what went through stdio so far comes first
  return fd_sink(&stream == &std::cout ? STDOUT_FILENO : STDERR_FILENO);
}

struct LogWriter::Shared {
  struct Entry {
    LogChannel channel;
    std::string text;
  };

  explicit Shared(std::size_t capacity_bytes) : capacity(capacity_bytes) {}

  /// The notes saying how many lines each channel dropped since its last note,
  /// queued where the lines went missing.
  void queue_drop_notes() {
    for (const auto channel : {LogChannel::out, LogChannel::err}) {
      auto& count = dropped[static_cast<std::size_t>(channel)];
      if (count == 0) continue;
      std::string note = "flow: " + std::to_string(count) + (count == 1 ? " line" : " lines") + " of " +
                         channel_name(channel) + " dropped here: it was not read fast enough\n";
      count = 0;
      bytes += note.size();
      queue.push_back({channel, std::move(note)});
    }
  }

  std::mutex mutex;
  std::condition_variable work;     // for the thread: text to write, or finish
  std::condition_variable written;  // for finish(): the queue ran dry
  std::deque<Entry> queue;
  std::size_t bytes = 0;  // queued, or being written
  const std::size_t capacity;
  std::array<std::size_t, 2> dropped{};
  bool writing = false;
  bool finishing = false;
  // The thread's alone, unlocked:
  std::array<std::unique_ptr<LogSink>, 2> sinks;
  std::array<bool, 2> gone{};
};

LogWriter::LogWriter(std::unique_ptr<LogSink> out, std::unique_ptr<LogSink> err, std::size_t capacity)
    : shared_(std::make_shared<Shared>(capacity)) {
  shared_->sinks = {std::move(out), std::move(err)};
  thread_ = std::thread(&LogWriter::drain, shared_);
}

LogWriter::~LogWriter() {
  if (thread_.joinable()) finish(kDefaultFinishWait);
}

void LogWriter::write(LogChannel channel, std::string text) {
  if (text.empty()) return;
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->finishing || shared_->bytes + text.size() > shared_->capacity) {
      ++shared_->dropped[static_cast<std::size_t>(channel)];
      return;
    }
    shared_->queue_drop_notes();
    shared_->bytes += text.size();
    shared_->queue.push_back({channel, std::move(text)});
  }
  shared_->work.notify_one();
}

bool LogWriter::finish(std::chrono::milliseconds wait) {
  if (!thread_.joinable()) return drained_;
  out_stream_.flush();
  err_stream_.flush();
  std::unique_lock lock(shared_->mutex);
  shared_->queue_drop_notes();
  shared_->finishing = true;
  shared_->work.notify_one();
  drained_ = shared_->written.wait_for(lock, wait, [this] { return shared_->queue.empty() && !shared_->writing; });
  lock.unlock();
  if (drained_) {
    thread_.join();
  } else {
    thread_.detach();  // blocked in write(2) on a reader that does not read; it owns what it uses
  }
  return drained_;
}

void LogWriter::drain(std::shared_ptr<Shared> shared) {
  std::unique_lock lock(shared->mutex);
  for (;;) {
    shared->work.wait(lock, [&] { return !shared->queue.empty() || shared->finishing; });
    if (shared->queue.empty()) return;
    auto entry = std::move(shared->queue.front());
    shared->queue.pop_front();
    shared->writing = true;
    lock.unlock();
    const auto index = static_cast<std::size_t>(entry.channel);
    if (!shared->gone[index] && !shared->sinks[index]->write(entry.text)) {
      shared->gone[index] = true;  // said once, on the other channel if it is still there
      const auto other = 1 - index;
      if (!shared->gone[other]) {
        shared->sinks[other]->write(std::string("flow: ") + channel_name(entry.channel) +
                                    " is closed (its reader went away): its lines are dropped from now on\n");
      }
    }
    lock.lock();
    shared->bytes -= entry.text.size();
    shared->writing = false;
    if (shared->queue.empty()) shared->written.notify_all();
  }
}

LogWriter::LineBuffer::int_type LogWriter::LineBuffer::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char character = traits_type::to_char_type(c);
  xsputn(&character, 1);
  return c;
}

std::streamsize LogWriter::LineBuffer::xsputn(const char* text, std::streamsize count) {
  std::string_view rest(text, static_cast<std::size_t>(count));
  for (auto newline = rest.find('\n'); newline != std::string_view::npos; newline = rest.find('\n')) {
    pending_.append(rest.substr(0, newline + 1));
    writer_.write(channel_, std::exchange(pending_, {}));
    rest.remove_prefix(newline + 1);
  }
  pending_.append(rest);
  return count;
}

int LogWriter::LineBuffer::sync() {
  if (!pending_.empty()) writer_.write(channel_, std::exchange(pending_, {}));
  return 0;
}

}  // namespace flow::cli
