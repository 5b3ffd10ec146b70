#include "engine/store/call_notes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string_view>

namespace flow {

namespace {

/// Takes an exclusive lock on the whole of `fd`'s file; never waits.
bool lock_whole(int fd) {
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  return ::fcntl(fd, F_OFD_SETLK, &lock) == 0;
}

std::string slot_text(const CallNote& note) {
  const Json json = {{"instance", note.instance_id}, {"revision", note.revision},
                     {"call", note.call},            {"task", note.task},
                     {"process", note.process},      {"handler", note.handler},
                     {"sent_ms", note.sent.time_since_epoch().count()}};
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<CallNote> read_slot(std::string_view slot, std::int64_t pid) {
  const Json json = Json::parse(slot, nullptr, false);
  if (!json.is_object()) return std::nullopt;  // blank (cleared), or torn by the kill
  try {
    CallNote note;
    note.instance_id = json.at("instance").get<std::string>();
    note.revision = json.at("revision").get<std::int64_t>();
    note.call = json.at("call").get<std::string>();
    note.task = json.at("task").get<std::string>();
    note.process = json.at("process").get<std::string>();
    note.handler = json.at("handler").get<std::string>();
    note.sent = TimePoint(std::chrono::milliseconds(json.at("sent_ms").get<std::int64_t>()));
    note.pid = pid;
    return note;
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

/// The notes of the file at `path` when its process has ended (its lock can
/// be taken), the file then removed; none while it lives.
std::vector<CallNote> take_file(const std::filesystem::path& path) {
  std::vector<CallNote> notes;
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);  // a write lock needs a descriptor open for writing
  if (fd < 0) return notes;
  struct stat opened {}, named {};
  // Still the file of that name once locked: not one another taker removed meanwhile.
  if (lock_whole(fd) && ::fstat(fd, &opened) == 0 && ::stat(path.c_str(), &named) == 0 &&
      opened.st_ino == named.st_ino && opened.st_dev == named.st_dev) {
    const auto name = path.filename().string();
    const std::int64_t pid = std::strtoll(name.c_str(), nullptr, 10);
    std::string slot(CallNotes::kSlotBytes, ' ');
    for (off_t at = 0;; at += static_cast<off_t>(slot.size())) {
      const auto got = ::pread(fd, slot.data(), slot.size(), at);
      if (got <= 0) break;
      if (auto note = read_slot(std::string_view(slot).substr(0, static_cast<std::size_t>(got)), pid))
        notes.push_back(std::move(*note));
    }
    ::unlink(path.c_str());
  }
  ::close(fd);
  return notes;
}

}  // namespace

CallNotes::~CallNotes() {
  if (fd_ < 0) return;
  ::unlink(own_path_.c_str());
  ::close(fd_);
}

bool CallNotes::open_own() {
  if (fd_ >= 0) return true;
  if (failed_ || directory_.empty()) return false;
  failed_ = true;  // until it is made
  if (::mkdir(directory_.c_str(), 0700) != 0 && errno != EEXIST) return false;
  // The pid names the process to the user; the clock keeps a later process
  // given the same pid from taking over a dead one's file.
  const auto nonce = std::chrono::steady_clock::now().time_since_epoch().count();
  own_path_ = directory_ + "/" + std::to_string(::getpid()) + "-" + std::to_string(nonce);
  const int fd = ::open(own_path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  if (!lock_whole(fd)) {
    ::unlink(own_path_.c_str());
    ::close(fd);
    return false;
  }
  fd_ = fd;
  failed_ = false;
  return true;
}

void CallNotes::write_slot(std::size_t slot, const std::string& text) {
  slot_.assign(text);  // kept: no allocation per call once it has grown
  slot_.resize(kSlotBytes - 1, ' ');
  slot_ += '\n';
  (void)::pwrite(fd_, slot_.data(), slot_.size(), static_cast<off_t>(slot * kSlotBytes));
}

void CallNotes::note(const CallNote& note) {
  const std::string text = slot_text(note);
  if (text.size() >= kSlotBytes || !open_own()) return;
  const auto [at, added] = slots_.try_emplace(note.instance_id, slots_.size());
  write_slot(at->second, text);
}

void CallNotes::clear(const std::string& instance_id) {
  const auto found = slots_.find(instance_id);
  if (found != slots_.end() && fd_ >= 0) write_slot(found->second, "");
}

std::vector<CallNote> CallNotes::take_left() {
  std::vector<CallNote> notes;
  std::error_code error;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator at(directory_, error), end; !error && at != end; at.increment(error)) {
    if (at->path().string() != own_path_) files.push_back(at->path());
  }
  for (const auto& file : files) {
    for (auto& note : take_file(file)) notes.push_back(std::move(note));
  }
  return notes;
}

}  // namespace flow
