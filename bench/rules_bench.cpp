// Interpreter throughput: rules per second for handlers of 100 `set` rules and
// for expression-heavy handlers, one core, an in-memory store (the SQLite
// store's cost per run is measured by the refresh benchmark, not here).
//   bench_rules --benchmark_counters_tabular=true
// items_per_second is rules per second. Target (issue 4): >= 1,000,000 simple rules/s.
// BM_SeedRefreshMockedHttp is the seed example's Refresh (examples/token_refresh.flow)
// with its token endpoint answered in memory: the interpreter's own cost of a
// refresh (request building, JSON answer, mappings, save, history), without the
// network that bench_refresh adds; items_per_second there is refreshes/s.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/interpreter.hpp"
#include "stdlib/stdlib.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_transport.hpp"
#include "support/memory_store.hpp"

namespace {

std::string repeat(const std::string& rule, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += "    " + rule + "\n";
  return out;
}

/// A process P with numeric/text fields and one handler Go made of `rules`.
std::string program_with(const std::string& rules) {
  return "process P {\n"
         "  field N number = 0;\n  field M number = 7;\n  field T text = \"abc\";\n"
         "  field S secret = \"secret-value-0123456789\";\n  field D datetime;\n  field Out text;\n"
         "  on Go {\n" + rules + "  }\n}\n";
}

class Harness {
 public:
  explicit Harness(const std::string& source, flow::RunRequest request = {"P", "Go", std::nullopt, ""})
      : request_(std::move(request)),
        clock_(io_.get_executor(), flow::TimePoint(std::chrono::hours(480'000))) {
    flow::register_stdlib(functions_);
    flow::Diagnostics diagnostics;
    program_ = flow::load_program_text("bench.flow", source, diagnostics);
    if (diagnostics.has_errors()) throw std::runtime_error(flow::render(program_->sources, diagnostics));
    interpreter_ = std::make_unique<flow::Interpreter>(*program_, flow::Host{&http_, &clock_, &store_, &functions_});
    const auto errors = interpreter_->seed_instances();
    if (!errors.empty()) throw std::runtime_error(errors.front());
  }

  flow::testing::FakeTransport& http() { return http_; }

  void run_once() {
    bool ok = false;
    boost::asio::co_spawn(io_, interpreter_->run(flow::RunRequest(request_)),
                          [&](std::exception_ptr e, flow::RunResult r) {
                            if (e) std::rethrow_exception(e);
                            ok = r.ok;
                            if (!ok) throw std::runtime_error(r.error);
                          });
    io_.restart();
    io_.run();
  }

 private:
  flow::RunRequest request_;
  boost::asio::io_context io_;
  flow::testing::FakeClock clock_;
  flow::testing::FakeTransport http_;
  flow::testing::MemoryStore store_;
  flow::FunctionRegistry functions_;
  std::unique_ptr<flow::Program> program_;
  std::unique_ptr<flow::Interpreter> interpreter_;
};

void run_handler(benchmark::State& state, const std::string& rules, int rule_count) {
  Harness harness(program_with(rules));
  for (auto _ : state) harness.run_once();
  state.SetItemsProcessed(state.iterations() * rule_count);
}

void BM_Set100Literals(benchmark::State& state) { run_handler(state, repeat("set N = 1;", 100), 100); }
void BM_Set100Increments(benchmark::State& state) { run_handler(state, repeat("set N = N + 1;", 100), 100); }
void BM_Set10000Literals(benchmark::State& state) { run_handler(state, repeat("set N = 1;", 10'000), 10'000); }
void BM_ExpressionHeavy(benchmark::State& state) {
  run_handler(state,
              repeat("set Out = upper(T) + \"-${N * 2 + M / 7}\" + length(T);", 50) +
                  repeat("if N * 2 > M - 1 or not (T == \"abc\") { set N = N + 1; } else { set N = N - 1; }", 50),
              100);
}
void BM_SecretInterpolation(benchmark::State& state) {
  run_handler(state, repeat("log \"token ${S} for ${T}\";", 100), 100);
}

void BM_SeedRefreshMockedHttp(benchmark::State& state) {
  std::ifstream file(FLOW_EXAMPLES_DIR "/token_refresh.flow");
  std::stringstream source;
  source << file.rdbuf();
  ::setenv("CLIENT_ID", "bench-client", 1);
  ::setenv("CLIENT_SECRET", "bench-client-secret-0123456789", 1);
  ::setenv("REFRESH_TOKEN", "rt-0-abcdefghijklmnopqrstuvwxyz", 1);
  Harness harness(source.str(), flow::RunRequest{"TokenKeeper", "Refresh", std::string("TK-1"), ""});
  int issued = 0;
  harness.http().respond([&issued](const flow::HttpRequest&) -> flow::HttpResult {
    ++issued;
    return flow::HttpResponse{200, {{"Content-Type", "application/json"}},
                              "{\"access_token\":\"at-" + std::to_string(issued) +
                                  "-abcdefghijklmnopqrstuvwxyz\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                                  "\"refresh_token\":\"rt-" + std::to_string(issued) +
                                  "-abcdefghijklmnopqrstuvwxyz\",\"created_at\":1700000000}"};
  });
  for (auto _ : state) {
    harness.run_once();
    harness.http().requests.clear();
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_Set100Literals);
BENCHMARK(BM_Set100Increments);
BENCHMARK(BM_Set10000Literals);
BENCHMARK(BM_ExpressionHeavy);
BENCHMARK(BM_SecretInterpolation);
BENCHMARK(BM_SeedRefreshMockedHttp);
BENCHMARK_MAIN();
