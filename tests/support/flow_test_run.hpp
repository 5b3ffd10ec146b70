#pragma once
// A `test` block run as `flow test` runs it (run_test), after a program of an
// Api datasource (Token, Ping) and a Keeper process: the flow-test suites' harness.

#include <string>

#include <catch2/catch.hpp>

#include "engine/checker.hpp"
#include "engine/flow_tests.hpp"
#include "engine/store/sqlite_store.hpp"
#include "stdlib/stdlib.hpp"
#include "support/temp_dir.hpp"

namespace flow::testing {

inline const char* const kKeeperProgram = R"(
datasource Api rest {
  base_url = "https://auth.example.com/base";
  method Token POST "/oauth/token" {
    request body form { grant_type; refresh_token; }
    request query { tenant; }
    response body json { access_token; refresh_token; expires_in; }
  }
  method Ping GET "/ping" { }
}

process Keeper {
  field Refresh secret;
  field Access  secret;
  field Expires number;
  field At      datetime;
  field Note    text;
  on Go {
    create_item Api.Token map {
      body.grant_type = "refresh_token";
      body.refresh_token = Refresh;
      query.tenant = "acme corp";
    } on_success {
      Access = body.access_token;
      Refresh = body.refresh_token ?? Refresh;
      Expires = body.expires_in;
      At = now();
    };
    save;
  }
  on Safe {
    create_item Api.Token map { body.refresh_token = Refresh; } on_error { Note = error.message; };
    save;
  }
}
)";

struct Ran {
  bool ok;
  int expects;
  std::string report;
};

/// Loads kKeeperProgram plus `tests`, checks it (no error allowed), runs its first test.
inline Ran run_first(const std::string& tests, bool reveal = false, bool verbose = false) {
  flow::Diagnostics diagnostics;
  auto program = flow::load_program_text("test.flow", std::string(kKeeperProgram) + tests, diagnostics);
  static const flow::FunctionRegistry functions = [] {
    flow::FunctionRegistry r;
    flow::register_stdlib(r);
    return r;
  }();
  flow::check_program(*program, functions, diagnostics);
  INFO(flow::render(program->sources, diagnostics));
  REQUIRE_FALSE(diagnostics.has_errors());
  REQUIRE(program->tests().size() >= 1);
  flow::testing::TempDir dir;
  const auto make_store = [&] {
    flow::SqliteOptions options;
    options.durability = flow::Durability::relaxed;
    return flow::open_sqlite_store((dir.path() / "test.db").string(), options);
  };
  const auto outcome = flow::run_test(*program, functions, *program->tests().front(), make_store,
                                      flow::TestOptions{reveal, verbose});
  return {outcome.ok, outcome.expects_passed, outcome.report};
}

}  // namespace flow::testing
