// The notes of calls in flight beside a store (engine/store/call_notes.hpp):
// what a process killed during a call leaves, read by the next one. A process
// that dies is a forked child that notes and ends with _exit (no destructors,
// as kill -9 would): its file and its notes stay, and its lock goes.
#include "engine/store/call_notes.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <catch2/catch.hpp>

#include "engine/store/sqlite_store.hpp"
#include "store/sqlite_support.hpp"
#include "support/temp_dir.hpp"

namespace {

using flow::CallNote;
using flow::CallNotes;
using flow::testing::files_in;

CallNote refresh_note(const std::string& id, std::int64_t revision) {
  return {id, revision, "RestService.GetRefreshAuthToken", "Refresh access token", "TokenKeeper", "Refresh",
          flow::testing::kT0, 0};
}

/// Runs `body(notes)` in a child process that then ends without cleaning up
/// (no destructor: its file stays, as after kill -9). Returns its pid.
template <typename Body>
pid_t in_dying_child(const std::string& directory, Body body) {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto* notes = new CallNotes(directory);  // never deleted: the process "dies" with its note
    body(*notes);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  return child;
}

}  // namespace

TEST_CASE("call notes: a dead process's note is taken once, with all it says, and its file removed") {
  flow::testing::TempDir dir;
  const std::string calls = dir.file("flow.db-calls");
  const pid_t dead = in_dying_child(calls, [](CallNotes& notes) { notes.note(refresh_note("TK-1", 4)); });
  REQUIRE(files_in(calls) == 1);

  CallNotes next(calls);
  const auto left = next.take_left();
  REQUIRE(left.size() == 1);
  CHECK(left[0].instance_id == "TK-1");
  CHECK(left[0].revision == 4);
  CHECK(left[0].call == "RestService.GetRefreshAuthToken");
  CHECK(left[0].task == "Refresh access token");
  CHECK(left[0].process == "TokenKeeper");
  CHECK(left[0].handler == "Refresh");
  CHECK(left[0].sent == flow::testing::kT0);
  CHECK(left[0].pid == dead);
  CHECK(files_in(calls) == 0);
  CHECK(next.take_left().empty());
}

TEST_CASE("call notes: a living process's notes are not taken; its file goes when it ends") {
  flow::testing::TempDir dir;
  const std::string calls = dir.file("flow.db-calls");
  {
    CallNotes living(calls);
    living.note(refresh_note("TK-1", 2));
    living.note(refresh_note("TK-2", 7));
    CHECK(files_in(calls) == 1);
    CallNotes other(calls);  // its own lock: the first file's is held
    CHECK(other.take_left().empty());
    CHECK(living.take_left().empty());  // never its own
  }
  CHECK(files_in(calls) == 0);
}

TEST_CASE("call notes: a cleared note is not taken; a later note on the instance replaces the earlier") {
  flow::testing::TempDir dir;
  const std::string calls = dir.file("flow.db-calls");
  in_dying_child(calls, [](CallNotes& notes) {
    notes.note(refresh_note("TK-1", 1));
    notes.note(refresh_note("TK-2", 1));
    notes.clear("TK-1");                  // its call left nothing to store
    notes.note(refresh_note("TK-2", 2));  // the same slot
  });
  CallNotes next(calls);
  const auto left = next.take_left();
  REQUIRE(left.size() == 1);
  CHECK(left[0].instance_id == "TK-2");
  CHECK(left[0].revision == 2);
}

TEST_CASE("call notes: a note too long for its slot is left out, the others kept") {
  flow::testing::TempDir dir;
  const std::string calls = dir.file("flow.db-calls");
  in_dying_child(calls, [](CallNotes& notes) {
    notes.note(refresh_note(std::string(CallNotes::kSlotBytes, 'x'), 1));
    notes.note(refresh_note("TK-1", 3));
  });
  CallNotes next(calls);
  const auto left = next.take_left();
  REQUIRE(left.size() == 1);
  CHECK(left[0].instance_id == "TK-1");
}

TEST_CASE("call notes: the store reports a call lost only while its instance is at the revision noted") {
  flow::testing::TempDir dir;
  const std::string db = dir.file("flow.db");
  flow::InstanceRecord record;
  record.id = "TK-1";
  record.process = "TokenKeeper";
  record.fields["RefreshToken"] = flow::Value(std::string("rt-0123456789abcdef"), true);
  flow::InstanceRecord other = record;
  other.id = "TK-2";
  {
    auto store = flow::open_sqlite_store(db);
    store->save_instance(record, flow::testing::kT0);  // revision 1
    store->save_instance(other, flow::testing::kT0);
    store->save_instance(other, flow::testing::kT0);  // revision 2: what TK-2's call answered was stored
  }
  in_dying_child(db + "-calls", [](CallNotes& notes) {
    notes.note(refresh_note("TK-1", 1));
    notes.note(refresh_note("TK-2", 1));
    notes.note(refresh_note("TK-3", 1));  // deleted since, or never stored
  });
  auto store = flow::open_sqlite_store(db);
  const auto lost = store->calls_lost();
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].instance_id == "TK-1");
  CHECK(store->calls_lost().empty());
  CHECK(files_in(db + "-calls") == 0);
}
