// Instance locks: runs on one instance wait for each other, in this process
// and across the processes sharing a store; a wait that could never end fails.
#include "engine/instance_locks.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/store/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace asio = boost::asio;
using flow::InstanceLocks;

namespace {

/// Spawns acquire(id) for `chain`; `got` is set once it holds the lock (kept
/// in `held`). `on_other_process` as acquire() takes it.
void spawn_acquire(asio::io_context& io, InstanceLocks& locks, std::string id, InstanceLocks::Chain chain,
                   std::optional<InstanceLocks::Guard>& held, std::string& failure,
                   std::function<void()> on_other_process = {}) {
  asio::co_spawn(
      io,
      [&, id, chain, on_other_process]() -> asio::awaitable<void> {
        try {
          held = co_await locks.acquire(id, chain, on_other_process);
        } catch (const std::exception& e) {
          failure = e.what();
        }
      },
      asio::detached);
}

}  // namespace

TEST_CASE("two runs each holding what the other asks for: the second to ask fails at once", "[locks]") {
  flow::testing::TempDir dir;
  auto store = flow::open_sqlite_store((dir.path() / "s.db").string());
  asio::io_context io;
  InstanceLocks locks(store.get());
  const int first_run = 0, second_run = 0;
  auto a = locks.try_acquire("A-1", &first_run);
  auto b = locks.try_acquire("B-1", &second_run);
  REQUIRE(a);
  REQUIRE(b);
  std::optional<InstanceLocks::Guard> first_got_b, second_got_a;
  std::string first_failure, second_failure;
  spawn_acquire(io, locks, "B-1", &first_run, first_got_b, first_failure);  // waits for the second run
  io.run_for(std::chrono::milliseconds(20));
  io.restart();
  CHECK_FALSE(first_got_b);
  spawn_acquire(io, locks, "A-1", &second_run, second_got_a, second_failure);  // would close the cycle
  io.run_for(std::chrono::milliseconds(20));
  io.restart();
  CHECK_THAT(second_failure, Catch::Contains("waiting would never end"));
  CHECK_FALSE(second_got_a);
  b.reset();  // the second run fails and lets B-1 go: the first gets it
  io.run_for(std::chrono::milliseconds(20));
  CHECK(first_got_b);
  CHECK(first_failure.empty());
}

TEST_CASE("a run waiting behind another run's chain that waits for nothing is no deadlock", "[locks]") {
  flow::testing::TempDir dir;
  auto store = flow::open_sqlite_store((dir.path() / "s.db").string());
  asio::io_context io;
  InstanceLocks locks(store.get());
  const int first_run = 0, second_run = 0;
  auto a = locks.try_acquire("A-1", &first_run);
  auto b = locks.try_acquire("B-1", &second_run);
  std::optional<InstanceLocks::Guard> got;
  std::string failure;
  spawn_acquire(io, locks, "A-1", &second_run, got, failure);  // the first run waits for nothing
  io.run_for(std::chrono::milliseconds(20));
  io.restart();
  CHECK(failure.empty());
  CHECK_FALSE(got);
  a.reset();
  io.run_for(std::chrono::milliseconds(20));
  CHECK(got);
}

TEST_CASE("a lock held by another process sharing the store is waited for, then taken", "[locks]") {
  flow::testing::TempDir dir;
  const auto path = (dir.path() / "s.db").string();
  auto here = flow::open_sqlite_store(path);
  auto other_process = flow::open_sqlite_store(path);  // its own lock file description: another holder
  REQUIRE(other_process->try_lock_instance("TK-1"));
  CHECK_FALSE(here->try_lock_instance("TK-1"));
  CHECK(here->try_lock_instance("TK-2"));  // other instances are free

  asio::io_context io;
  InstanceLocks locks(here.get());
  const int run = 0;
  CHECK_FALSE(locks.try_acquire("TK-1", &run));
  std::optional<InstanceLocks::Guard> got;
  std::string failure;
  spawn_acquire(io, locks, "TK-1", &run, got, failure);
  io.run_for(std::chrono::milliseconds(50));
  io.restart();
  CHECK_FALSE(got);  // polling
  other_process->unlock_instance("TK-1");
  io.run_for(std::chrono::milliseconds(300));
  REQUIRE(got);
  CHECK(failure.empty());
  CHECK_FALSE(other_process->try_lock_instance("TK-1"));  // now held here
  got.reset();
  CHECK(other_process->try_lock_instance("TK-1"));  // released with the guard
}

TEST_CASE("a wait for another process's run is told once; a wait for a run of this process is not", "[locks]") {
  flow::testing::TempDir dir;
  const auto path = (dir.path() / "s.db").string();
  auto here = flow::open_sqlite_store(path);
  auto other_process = flow::open_sqlite_store(path);
  REQUIRE(other_process->try_lock_instance("TK-2"));
  asio::io_context io;
  InstanceLocks locks(here.get());
  const int first_run = 0, second_run = 0, third_run = 0;
  auto first = locks.try_acquire("TK-1", &first_run);  // a run of this process
  REQUIRE(first);
  std::optional<InstanceLocks::Guard> second_got, third_got;
  std::string second_failure, third_failure;
  int second_told = 0, third_told = 0;
  spawn_acquire(io, locks, "TK-1", &second_run, second_got, second_failure, [&] { ++second_told; });
  spawn_acquire(io, locks, "TK-2", &third_run, third_got, third_failure, [&] { ++third_told; });
  io.run_for(std::chrono::milliseconds(300));  // several polls of TK-2 by now
  io.restart();
  CHECK_FALSE(second_got);
  CHECK_FALSE(third_got);
  CHECK(second_told == 0);
  CHECK(third_told == 1);

  first.reset();  // this process's run ends: the second run has its lock, and was told nothing
  other_process->unlock_instance("TK-2");
  io.run_for(std::chrono::milliseconds(300));
  REQUIRE(second_got);
  REQUIRE(third_got);
  CHECK(second_failure.empty());
  CHECK(third_failure.empty());
  CHECK(second_told == 0);
  CHECK(third_told == 1);
}

TEST_CASE("one daemon per store: the claim is refused while another holds it and freed with it", "[locks]") {
  flow::testing::TempDir dir;
  const auto path = (dir.path() / "s.db").string();
  auto first = flow::open_sqlite_store(path);
  REQUIRE(first->claim_daemon());
  auto second = flow::open_sqlite_store(path);
  CHECK_FALSE(second->claim_daemon());
  first.reset();  // the process ends (or is killed): the kernel drops its locks
  CHECK(second->claim_daemon());
}

TEST_CASE("a run waiting for another process's run gives up when a stop is asked for", "[locks]") {
  flow::testing::TempDir dir;
  const auto path = (dir.path() / "s.db").string();
  auto here = flow::open_sqlite_store(path);
  auto other_process = flow::open_sqlite_store(path);
  REQUIRE(other_process->try_lock_instance("TK-1"));
  asio::io_context io;
  InstanceLocks locks(here.get());
  const int run = 0;
  std::optional<InstanceLocks::Guard> got;
  std::string failure;
  spawn_acquire(io, locks, "TK-1", &run, got, failure);
  io.run_for(std::chrono::milliseconds(300));  // polling every 100 ms by now
  io.restart();
  io.poll();
  REQUIRE(failure.empty());
  locks.stop_waiting();  // SIGTERM: the waiting run has called nothing yet
  io.restart();
  io.poll();  // at once: its pause is cut short, not waited out
  CHECK_FALSE(got);
  CHECK_THAT(failure, Catch::Contains("stopped while waiting for another flow process's run on 'TK-1'"));
}

TEST_CASE("the locks are found from the store file itself, whatever path names it", "[locks]") {
  flow::testing::TempDir dir;
  const auto path = (dir.path() / "s.db").string();
  auto direct = flow::open_sqlite_store(path);
  std::filesystem::create_symlink(path, dir.path() / "link.db");
  auto through_link = flow::open_sqlite_store((dir.path() / "link.db").string());
  REQUIRE(direct->try_lock_instance("TK-1"));
  CHECK_FALSE(through_link->try_lock_instance("TK-1"));
}

TEST_CASE("deleting flow.db.lock (it looks stale) frees neither the daemon's claim nor an instance", "[locks]") {
  flow::testing::TempDir dir;
  const auto path = (dir.path() / "s.db").string();
  auto daemon = flow::open_sqlite_store(path);
  REQUIRE(daemon->claim_daemon());
  REQUIRE(daemon->try_lock_instance("TK-1"));
  std::filesystem::remove(path + ".lock");  // what an operator tidying up does; there is none now

  auto second = flow::open_sqlite_store(path);
  CHECK_FALSE(second->claim_daemon());
  CHECK_FALSE(second->try_lock_instance("TK-1"));
  CHECK_FALSE(std::filesystem::exists(path + ".lock"));
}

TEST_CASE("the store's locks hold through SQLite's own locking, commits and closes on the same file", "[locks]") {
  flow::testing::TempDir dir;
  const auto path = (dir.path() / "s.db").string();
  auto daemon = flow::open_sqlite_store(path);
  REQUIRE(daemon->claim_daemon());
  REQUIRE(daemon->try_lock_instance("TK-1"));
  // SQLite takes and drops its POSIX locks on the file for each transaction
  // (all at once, for the whole file) and closes descriptors of it: none of
  // that may release locks taken on another open file description.
  for (int i = 0; i < 3; ++i) {
    flow::InstanceRecord record{"TK-" + std::to_string(i + 2), "P", {}, {}, {}, 0, {}};
    daemon->save_instance(record, flow::TimePoint{});
    auto passing = flow::open_sqlite_store(path);
    passing->save_instance(record, flow::TimePoint{});
  }
  auto second = flow::open_sqlite_store(path);
  CHECK_FALSE(second->claim_daemon());
  CHECK_FALSE(second->try_lock_instance("TK-1"));
  CHECK(second->try_lock_instance("TK-2"));
}
