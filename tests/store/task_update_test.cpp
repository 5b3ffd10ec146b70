// Store::update_task with a check (TaskUpdate::check): asked of the task as
// stored inside the update's transaction, it refuses the update, which then
// writes nothing. `flow tasks pause|resume|delete` of a task the files do not
// declare rests on it: a delete by another process meanwhile counts.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "engine/store/sqlite_store.hpp"
#include "store/sqlite_support.hpp"
#include "support/memory_store.hpp"
#include "support/temp_dir.hpp"
#include "support/what_of.hpp"

using flow::TaskState;
using flow::TaskUpdate;
using flow::testing::what_of;

namespace {

const std::string kTask = "Refresh access token";

/// What an admin's change of a task the files do not declare asks: stored,
/// and not deleted.
void stored_not_deleted(const std::optional<TaskState>& stored) {
  if (!stored) throw std::invalid_argument("no task");
  if (stored->deleted) throw std::invalid_argument("deleted");
}

/// A resume that counts a run too: refused, it must write neither.
TaskUpdate checked_resume() {
  TaskUpdate resume;
  resume.name = kTask;
  resume.new_runs = 1;
  resume.paused = resume.deleted = false;
  resume.check = stored_not_deleted;
  return resume;
}

/// The task stored with 2 runs, then deleted.
void store_deleted_task(flow::Store& store) {
  TaskUpdate deleted;
  deleted.name = kTask;
  deleted.new_runs = 2;
  deleted.deleted = true;
  store.update_task(deleted);
}

}  // namespace

TEST_CASE("sqlite store: update_task refused by its check writes nothing", "[store][tasks]") {
  const flow::testing::TempDir dir;
  const std::string path = dir.file("flow.db");
  const auto store = flow::open_sqlite_store(path);
  const auto update = [&] { store->update_task(checked_resume()); };

  // No row: refused, and none created.
  CHECK(what_of<std::invalid_argument>(update, "(written)") == "no task");
  CHECK(flow::testing::query_int(path, "SELECT count(*) FROM tasks") == 0);

  // A deleted row: refused, and left as stored.
  store_deleted_task(*store);
  CHECK(what_of<std::invalid_argument>(update, "(written)") == "deleted");
  const auto stored = flow::open_sqlite_store(path)->load_task(kTask);  // as another connection reads it
  REQUIRE(stored);
  CHECK(stored->deleted);
  CHECK(stored->run_count == 2);

  // The store is usable after a refusal: its transaction was rolled back.
  TaskUpdate unchecked = checked_resume();
  unchecked.check = nullptr;
  CHECK(store->update_task(unchecked).run_count == 3);
  const auto resumed = store->update_task(checked_resume());
  CHECK(resumed.run_count == 4);
  CHECK_FALSE(resumed.deleted);
}

TEST_CASE("sqlite store: update_task's check judges the task as stored when it is written, not as read before",
          "[store][tasks]") {
  const flow::testing::TempDir dir;
  const std::string path = dir.file("flow.db");
  const auto admin = flow::open_sqlite_store(path);
  const auto other = flow::open_sqlite_store(path);  // another process: a second `flow tasks delete`
  TaskUpdate planned;
  planned.name = kTask;
  planned.new_runs = 1;
  admin->update_task(planned);
  REQUIRE_FALSE(admin->load_task(kTask)->deleted);  // what the admin read first

  TaskUpdate deleted;
  deleted.name = kTask;
  deleted.deleted = true;
  other->update_task(deleted);  // meanwhile

  CHECK(what_of<std::invalid_argument>([&] { admin->update_task(checked_resume()); }, "(written)") == "deleted");
  const auto stored = other->load_task(kTask);
  REQUIRE(stored);
  CHECK(stored->deleted);
  CHECK(stored->run_count == 1);
}

TEST_CASE("memory store (Store's default update_task): refused by its check, it writes nothing", "[store][tasks]") {
  flow::testing::MemoryStore store;
  const auto update = [&] { store.update_task(checked_resume()); };

  CHECK(what_of<std::invalid_argument>(update, "(written)") == "no task");
  CHECK_FALSE(store.load_task(kTask));
  CHECK(store.list_tasks().empty());

  store_deleted_task(store);
  CHECK(what_of<std::invalid_argument>(update, "(written)") == "deleted");
  const auto stored = store.load_task(kTask);
  REQUIRE(stored);
  CHECK(stored->deleted);
  CHECK(stored->run_count == 2);
}
