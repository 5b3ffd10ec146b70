#include "bench/refresh_engine.hpp"

#include <stdexcept>

#include "engine/checker.hpp"
#include "engine/clock.hpp"
#include "engine/store/sqlite_store.hpp"
#include "stdlib/stdlib.hpp"
#include "support/memory_store.hpp"

namespace flow::bench {

namespace asio = boost::asio;

EngineRig::EngineRig(const std::string& source, const std::optional<std::string>& db_path,
                     BeastTransportOptions transport, SqliteOptions store_options) {
  register_stdlib(functions_);
  Diagnostics diagnostics;
  program_ = load_program_text("token_refresh.flow", source, diagnostics);
  if (!diagnostics.has_errors()) check_program(*program_, functions_, diagnostics);
  if (diagnostics.has_errors()) throw std::runtime_error(render(program_->sources, diagnostics));
  clock_ = std::make_unique<SystemClock>(io_.get_executor());
  http_ = make_beast_transport(io_.get_executor(), std::move(transport));
  if (db_path) {
    store_ = open_sqlite_store(*db_path, store_options);
  } else {
    store_ = std::make_unique<testing::MemoryStore>();
  }
  interpreter_ = std::make_unique<Interpreter>(*program_, Host{http_.get(), clock_.get(), store_.get(), &functions_});
  auto errors = interpreter_->seed_instances();
  if (!errors.empty()) throw std::runtime_error("seeding instances failed:\n" + errors.front());
}

EngineRig::~EngineRig() = default;

asio::awaitable<void> refresh_chain(Interpreter* interpreter, std::string id, int max_count,
                                    BenchClock::time_point deadline, std::vector<double>* latencies) {
  for (int i = 0; i < max_count && BenchClock::now() < deadline; ++i) {
    const auto started = BenchClock::now();
    // A named request, not a temporary inside the co_await expression: g++ 12
    // destroys such an aggregate temporary twice (free(): invalid pointer).
    RunRequest request{"TokenKeeper", "Refresh", id, ""};
    request.want_stored = false;  // as the daemon runs it: nothing prints the stored instance
    RunResult result = co_await interpreter->run(std::move(request));
    const auto finished = BenchClock::now();
    if (!result.ok || !result.saved) throw std::runtime_error("TokenKeeper.Refresh on " + id + " failed:\n" + result.error);
    latencies->push_back(std::chrono::duration<double, std::micro>(finished - started).count());
  }
}

}  // namespace flow::bench
