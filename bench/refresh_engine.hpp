#pragma once
// The whole engine as the daemon assembles it (engine/cli/session.cpp): the
// seed example's program, the wall clock, the Beast transport, the SQLite store
// and the Interpreter on one io_context; plus the chained run loops the refresh
// benchmark times.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/functions.hpp"
#include "engine/http/beast_transport.hpp"
#include "engine/interpreter.hpp"
#include "engine/program.hpp"
#include "engine/store/sqlite_store.hpp"

namespace flow::bench {

using BenchClock = std::chrono::steady_clock;

/// The io_context, host and interpreter of one measured configuration.
class EngineRig {
 public:
  /// Loads and checks `source` (throws with the rendered diagnostics on an
  /// error), opens the SQLite store at `db_path` (none: the in-memory test
  /// store, to show what SQLite costs) and seeds the declared instances.
  EngineRig(const std::string& source, const std::optional<std::string>& db_path, BeastTransportOptions transport,
            SqliteOptions store_options = {});
  ~EngineRig();

  boost::asio::io_context& io() { return io_; }
  Interpreter& interpreter() { return *interpreter_; }

 private:
  boost::asio::io_context io_;
  FunctionRegistry functions_;
  std::unique_ptr<Program> program_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<HttpTransport> http_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Interpreter> interpreter_;
};

/// Runs TokenKeeper.Refresh on instance `id` until `max_count` runs or
/// `deadline`, appending each run's latency (microseconds) to `latencies`.
/// Throws std::runtime_error, with the masked run error, when a run fails: the
/// chain is broken and later figures would be meaningless.
boost::asio::awaitable<void> refresh_chain(Interpreter* interpreter, std::string id, int max_count,
                                           BenchClock::time_point deadline, std::vector<double>* latencies);

}  // namespace flow::bench
