#pragma once
// `test` blocks: a flow's tests, with mocked HTTP and a virtual clock.
//
// Each test runs alone, on a store of its own that starts empty: the test's
// `instance` declarations are seeded first, then the program's (those the test
// did not declare). The program's schedules run on a virtual clock that starts
// at the test's first `clock` (else kDefaultTestStart) and moves only when a
// step moves it; datasource calls are answered by the test's `mock` steps and
// nothing goes on the network. Steps run top to bottom:
//   mock DS.M {..}     queues an answer (a later mock, once the queued ones are
//                      used, replaces them; the last answer repeats)
//   run P.H [on ID]    runs a handler; the test stops if it fails (unless `fails`)
//   advance D, clock T moves virtual time; due schedules run on the way, each at
//                      its slot
//   expect COND        checks COND; a failed expect is reported and the test goes on
// A call to a method the test never mocked fails that run and the test.

#include <functional>
#include <memory>
#include <string>

#include "engine/functions.hpp"
#include "engine/program.hpp"
#include "engine/store.hpp"

namespace flow {

/// Where virtual time starts when a test has no leading `clock` step.
inline constexpr std::int64_t kDefaultTestStartSeconds = 1767225600;  // 2026-01-01T00:00:00Z

struct TestOptions {
  bool reveal_secrets = false;  // --show-secrets
  bool verbose = false;         // every step and run, not only failures
};

struct TestOutcome {
  bool ok = true;
  int expects_passed = 0;
  std::string report;  // for a failed test, or with `verbose`: every step and failure; secrets masked
};

/// The `clock` step where a test's virtual time starts: one before its first
/// run, advance or expect (only mocks may come before it); nullptr if none.
/// It sets the start; every other `clock` moves time.
const ast::ClockStep* start_clock(const ast::TestDecl& test);

/// A fresh, empty store for one test.
using StoreFactory = std::function<std::unique_ptr<Store>()>;

TestOutcome run_test(const Program& program, const FunctionRegistry& functions, const ast::TestDecl& test,
                     const StoreFactory& make_store, const TestOptions& options);

}  // namespace flow
