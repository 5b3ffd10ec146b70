#pragma once
// An interpreter over a program given as text, a real SQLite store in a temp
// directory, the FakeClock and a FakeTransport: engine tests without the CLI.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "engine/interpreter.hpp"
#include "engine/store/sqlite_store.hpp"
#include "stdlib/stdlib.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_transport.hpp"
#include "support/temp_dir.hpp"

namespace flow::testing {

inline TimePoint test_epoch() { return TimePoint(std::chrono::hours(24 * 20'000)); }  // 2024-10-04

class EngineFixture {
 public:
  /// `path`: what the program's file is called (relative paths in it are read
  /// beside it); nothing is read from there.
  explicit EngineFixture(const std::string& source, RunOptions options = {}, const std::string& path = "test.flow")
      : clock(io.get_executor(), test_epoch()), store(open_sqlite_store(dir.file("flow.db"))) {
    register_stdlib(functions);
    program = load_program_text(path, source, diagnostics);
    REQUIRE(render(program->sources, diagnostics) == "");
    interpreter = std::make_unique<Interpreter>(*program, Host{&http, &clock, store.get(), &functions}, options);
  }

  RunResult run(const std::string& process, const std::string& handler, std::optional<std::string> id = {}) {
    return run_on(*interpreter, process, handler, std::move(id));
  }

  /// The same on another interpreter of this fixture's program (e.g. over a wrapped store).
  RunResult run_on(Interpreter& which, const std::string& process, const std::string& handler,
                   std::optional<std::string> id = {}) {
    std::optional<RunResult> result;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, which.run(RunRequest{process, handler, id, ""}),
                          [&](std::exception_ptr e, RunResult r) {
                            failure = e;
                            result = std::move(r);
                          });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
    REQUIRE(result.has_value());
    return std::move(*result);
  }

  boost::asio::io_context io;
  TempDir dir;
  FakeClock clock;
  FakeTransport http;
  std::unique_ptr<Store> store;
  FunctionRegistry functions;
  Diagnostics diagnostics;
  std::unique_ptr<Program> program;
  std::unique_ptr<Interpreter> interpreter;
};

}  // namespace flow::testing
