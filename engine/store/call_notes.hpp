#pragma once
// Notes of the calls a flow process has in flight, beside its store, so that
// the next process can say that a run was killed while its call was out (kill
// -9, an OOM kill, a machine that stopped): the answer, and the refresh token
// it rotated in, were never stored, and the stored token may be spent.
//
// One file per process in `<store>-calls/`, which the process holds an
// open-file-description lock on while it lives and removes when it ends
// normally: a file whose lock another process can take belongs to a process
// that died. A note is one pwrite of a fixed-size slot, one slot per instance
// (a process runs one run at a time on an instance, under its lock), and is
// not fsynced: a note is a diagnosis, never needed to keep a token. It needs
// no clearing once the run commits what the call answered: the commit raises
// the instance's stored revision past the one noted, which makes the note
// stale. Only a call that leaves nothing to store is cleared (a second pwrite).

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/value.hpp"

namespace flow {

/// One call sent on a stored instance.
struct CallNote {
  std::string instance_id;
  std::int64_t revision = 0;  // the instance's stored revision when the call went out
  std::string call;           // "RestService.GetRefreshAuthToken"
  std::string task;           // the schedule's name; "" for a run by hand
  std::string process;        // "TokenKeeper"
  std::string handler;        // "Refresh"
  TimePoint sent{};
  std::int64_t pid = 0;       // of the process that sent it: set by take_left
};

class CallNotes {
 public:
  /// `directory`: `<store file>-calls`. Nothing is created before the first note.
  explicit CallNotes(std::string directory) : directory_(std::move(directory)) {}
  /// Removes this process's file: a process that ends normally leaves no notes.
  ~CallNotes();
  CallNotes(const CallNotes&) = delete;
  CallNotes& operator=(const CallNotes&) = delete;

  /// Notes `note` in its instance's slot. A note that cannot be written (no
  /// room, no permission) is left out: the call goes on without it.
  void note(const CallNote& note);
  /// Blanks the slot of `instance_id`, if it has one: its call left nothing to store.
  void clear(const std::string& instance_id);
  /// The notes in the files of processes that ended without removing them,
  /// those files removed: each note is taken once, by one process.
  std::vector<CallNote> take_left();

  static constexpr std::size_t kSlotBytes = 1024;

 private:
  bool open_own();
  void write_slot(std::size_t slot, const std::string& text);

  std::string directory_;
  std::string own_path_;
  int fd_ = -1;
  bool failed_ = false;  // the own file could not be made: no more tries
  std::unordered_map<std::string, std::size_t> slots_;
  std::string slot_;  // the slot being written
};

}  // namespace flow
