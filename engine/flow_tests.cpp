#include "engine/flow_tests.hpp"

#include <algorithm>
#include <deque>
#include <exception>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/eval.hpp"
#include "engine/http_transport.hpp"
#include "engine/interpreter.hpp"
#include "engine/rest_call.hpp"
#include "engine/scheduler.hpp"
#include "engine/secret_scrub.hpp"
#include "engine/task_runner.hpp"
#include "engine/test_mocks.hpp"
#include "engine/virtual_clock.hpp"

namespace flow {

namespace asio = boost::asio;

namespace {

using Locals = std::map<std::string, Value, std::less<>>;

bool is_comparison(ast::BinaryOp op) {
  using O = ast::BinaryOp;
  return op == O::eq || op == O::ne || op == O::lt || op == O::le || op == O::gt || op == O::ge;
}

TimePoint start_time(const ast::TestDecl& test) {
  if (const auto* clock = start_clock(test)) return std::chrono::time_point_cast<Duration>(clock->at.value);
  return TimePoint(std::chrono::seconds(kDefaultTestStartSeconds));
}

/// One test: its store, virtual clock, mocks, interpreter and scheduler, and
/// what it reports.
class TestRun {
 public:
  TestRun(const Program& program, const FunctionRegistry& functions, const ast::TestDecl& test,
          std::unique_ptr<Store> store, const TestOptions& options)
      : program_(program),
        functions_(functions),
        test_(test),
        options_(options),
        io_(std::in_place),
        clock_(io_->get_executor(), start_time(test)),
        store_(std::move(store)),
        transport_(*this),
        interpreter_(program, Host{&transport_, &clock_, store_.get(), &functions, &environment_},
                     RunOptions{options.reveal_secrets}) {
    for (const auto* datasource : program_.datasources()) {
      Json methods = Json::object();
      for (const auto& method : datasource->methods)
        methods[method.name.text] = {{"calls", 0}, {"requests", Json::array()}, {"last", nullptr}};
      datasources_.emplace(datasource->name.text, Value(std::move(methods)));
    }
  }

  /// Coroutines still suspended on the io_context (a run that never finished)
  /// hold references to the interpreter and the store: they go first.
  ~TestRun() { io_.reset(); }

  TestRun(const TestRun&) = delete;
  TestRun& operator=(const TestRun&) = delete;

  TestOutcome run() {
    try {
      if (set_environment()) {
        seed();
        for (const auto& step : test_.steps) {
          if (!step_ok(step)) break;
        }
      }
      stop_scheduler();
    } catch (const std::exception& e) {
      fail(location(program_.sources, test_.name_range) + ": the test stopped: " + e.what());
    }
    if (!outcome_.ok || options_.verbose) outcome_.report = report();
    return outcome_;
  }

  /// The mocked answer to `request` (MockTransport::send).
  HttpResult answer(const HttpRequest& request) {
    auto sent = record(request);
    sent_secrets_.insert(request.secrets.begin(), request.secrets.end());
    note("    call " + request.call + " (" + request.method + " " + request.url + ")");
    auto& answers = mocks_[request.call];
    if (answers.queue.empty()) {
      ++unmocked_[request.call];  // a failure of the step, reported once when it ends
      return HttpError{HttpErrorKind::network, "no mocked answer for " + request.call + " in this test"};
    }
    const ast::MockAnswer& answer = *answers.queue.front();
    if (answers.queue.size() > 1) {
      answers.queue.pop_front();
    } else {
      answers.last_used = true;
    }
    try {
      return respond(answer, std::move(sent));
    } catch (const LocatedError& e) {
      fail(render(program_.sources,
                  Diagnostic{Severity::error, e.range(), std::string("in a mocked answer: ") + e.what()}));
    } catch (const std::exception& e) {
      fail(location(program_.sources, test_.name_range) + ": a mocked answer for " + request.call +
           " failed: " + e.what());
    }
    return HttpError{HttpErrorKind::malformed, "the mocked answer failed"};
  }

 private:
  class MockTransport final : public HttpTransport {
   public:
    explicit MockTransport(TestRun& run) : run_(run) {}
    /// As the Beast transport, the datasource's `retries` try again after a
    /// transient failure (each attempt takes the next answer), but at once:
    /// virtual time does not pass for a backoff.
    asio::awaitable<HttpResult> send(HttpRequest request) override {
      const int attempts = std::max(1, request.retry.max_attempts);
      for (int attempt = 1;; ++attempt) {
        auto result = run_.answer(request);
        if (attempt >= attempts || !is_transient(result)) co_return with_attempts(std::move(result), attempt);
      }
    }

   private:
    TestRun& run_;
  };

  struct MockAnswers {
    std::deque<const ast::MockAnswer*> queue;
    bool last_used = false;  // the only answer left has answered: the next mock replaces it
  };

  /// Adds the request to what `DS.M.calls/requests/last` read, in place (a
  /// long `advance` records thousands: nothing is copied per call).
  /// Returns the record.
  Json record(const HttpRequest& request) {
    const auto dot = request.call.find('.');
    const auto* datasource = dot == std::string::npos ? nullptr : program_.datasource(request.call.substr(0, dot));
    const auto* declared = datasource ? Program::method(*datasource, request.call.substr(dot + 1)) : nullptr;
    auto sent = request_record(request, declared);
    if (dot == std::string::npos) return sent;
    const auto found = datasources_.find(request.call.substr(0, dot));
    if (found == datasources_.end()) return sent;
    auto& method = found->second.as<Json>()[request.call.substr(dot + 1)];
    method["requests"].push_back(sent);
    method["calls"] = method["requests"].size();
    method["last"] = sent;
    return sent;
  }

  /// The test's `env` values: the only variables env() sees. False when one fails.
  bool set_environment() {
    for (const auto& variable : test_.environment) {
      const auto value = evaluate_or_fail(variable.value);
      if (!value) return false;
      environment_[variable.name.text] = to_text(*value);
    }
    return true;
  }

  void seed() {
    std::vector<const ast::InstanceDecl*> own;
    for (const auto& instance : test_.instances) own.push_back(&instance);
    for (const auto& error : interpreter_.seed_instances(own)) fail(error);
    // The program's instances the test did not declare; one that cannot be
    // seeded here (an env() the test does not set) only matters if a step uses it.
    // A run on such an instance seeds it again and fails with this error.
    (void)interpreter_.seed_instances();
    for (const auto& instance : store_->list_instances()) remember_secrets(instance.fields);
  }

  /// The schedules start when time first passes (the first advance, or a
  /// clock that moves time), as a daemon started at that virtual time would.
  void start_scheduler() {
    if (scheduler_) return;
    SchedulerOptions options;
    options.jitter = [random = std::mt19937_64(20260101)]() mutable { return random(); };
    options.told_of_writes = true;  // only runs write instances: written() tells
    options.log = [this](const std::string& line) {
      const auto first = line.find('\n');  // a rendered error follows, set in under it
      note("    " + stamp() + " " + line.substr(0, first) + (first == std::string::npos ? "" : "\n" + indented(line.substr(first + 1))));
    };
    // In a test, a task's first run by hand is a step.
    const auto by_hand = [](const ast::ScheduleDecl& schedule, const std::string& id) {
      return "`run " + schedule.process->text + "." + schedule.trigger->text + (id.empty() ? "" : " on \"" + id + "\"") +
             ";` before time passes";
    };
    runner_.emplace(interpreter_, [this](const std::string& task, const RunResult& result) {
      note("    " + stamp() + " schedule \"" + task + "\": " + result.instance.process + " " +
           (result.instance.id.empty() ? "(new)" : result.instance.id) + (result.ok ? " ok" : " FAILED"));
      written();
      run_output(result);
    }, by_hand);
    scheduler_.emplace(clock_, *store_, program_.schedules(), *runner_, options);
    asio::co_spawn(*io_, scheduler_->run(), [this](std::exception_ptr e) {
      scheduler_done_ = true;
      scheduler_error_ = e;
    });
    drain();
  }

  /// A run ended: it may have written instances, and so moved the time of an
  /// `at` schedule, which the scheduler reads only when told.
  void written() {
    if (scheduler_) scheduler_->instances_written();
  }

  void stop_scheduler() {
    if (!scheduler_) return;
    scheduler_->stop();
    clock_.cancel_all();
    drain();
    report_unmocked(test_.name_range);  // calls of runs that ended as the schedules stopped
    if (!scheduler_failed() && !scheduler_done_)
      fail(location(program_.sources, test_.name_range) + ": the schedules did not stop (a run waits for another)");
  }

  /// Whether the scheduler ended on an error (a store failure); reports it.
  bool scheduler_failed() {
    if (!scheduler_error_) return false;
    try {
      std::rethrow_exception(std::exchange(scheduler_error_, nullptr));
    } catch (const std::exception& e) {
      fail(location(program_.sources, test_.name_range) + ": the scheduler stopped: " + e.what());
    }
    return true;
  }

  void drain() {
    io_->restart();
    io_->poll();
  }

  /// Runs one step; false when the test cannot go on.
  bool step_ok(const ast::TestStep& step) {
    return std::visit(
        [&](const auto& node) {
          const bool ok = this->step(node);
          report_unmocked(node.range);
          return ok && !scheduler_failed();
        },
        step.node);
  }

  /// One failure per method the step called without a mocked answer, at the
  /// step, with the attempts counted (retries, a schedule's retries and its
  /// later slots all call again).
  void report_unmocked(const SourceRange& step) {
    for (const auto& [call, attempts] : std::exchange(unmocked_, {})) {
      fail(location(program_.sources, step) + ": " + call + " was called, but the test mocks no answer for it (" +
           (attempts > 1 ? "after " + std::to_string(attempts) + " attempts; " : std::string()) + "add `mock " + call +
           " { ... }` before this step)");
    }
  }

  bool step(const ast::MockStep& mock) {
    auto& answers = mocks_[call_name(mock.datasource.text, mock.method.text)];
    if (answers.last_used) {
      answers.queue.clear();
      answers.last_used = false;
    }
    answers.queue.push_back(&mock.answer);
    return true;
  }

  bool step(const ast::RunStep& run) {
    const std::string what = "run " + run.process.text + "." + run.handler.text;
    std::optional<std::string> id;
    if (run.id) {
      const auto value = evaluate_or_fail(*run.id);
      if (!value) return false;
      id = to_text(*value);
    }
    note("  " + stamp() + " " + what + (id ? " on " + *id : ""), false);
    // Shared with the completion handler: a run that never finishes is
    // destroyed with the io_context, after this step has returned.
    struct Finished {
      std::optional<RunResult> result;
      std::exception_ptr error;
    };
    const auto finished = std::make_shared<Finished>();
    asio::co_spawn(*io_, interpreter_.run(RunRequest{run.process.text, run.handler.text, id, ""}),
                   [finished](std::exception_ptr e, RunResult r) {
                     finished->error = e;
                     finished->result = std::move(r);
                   });
    drain();
    written();
    auto& result = finished->result;
    const auto at = location(program_.sources, run.range) + ": ";
    if (finished->error) std::rethrow_exception(finished->error);
    if (!result) {
      fail(at + what + (clock_.pending_sleepers() > 0
                            ? " did not finish: it waits for virtual time, and only advance or clock moves it"
                            : " did not finish: it waits for another run (do two runs wait for each other?)"));
      return false;
    }
    run_output(*result);
    if (!unmocked_.empty()) {
      // The run failed for want of a mocked answer: that is the step's failure, its error the detail.
      report_unmocked(run.range);
      if (!result->ok) note("    " + what + " failed:\n" + indented(result->error));
      return result->ok || run.fails;
    }
    if (!run.fails) {
      if (result->ok) return true;
      fail(at + what + " failed:\n" + indented(result->error));
      return false;
    }
    if (result->ok) {
      fail(at + what + " succeeded, but the test expects it to fail");
      return false;
    }
    if (run.failure_text) {
      const auto wanted = evaluate_or_fail(*run.failure_text);
      if (!wanted) return false;
      if (result->error.find(to_text(*wanted)) == std::string::npos) {
        fail(at + what + " failed, but its error does not contain " + shown_value(*wanted) +
             ":\n" + indented(result->error));
        return false;
      }
    }
    note(indented(result->error));  // as expected: shown with --verbose
    return true;
  }

  bool step(const ast::AdvanceStep& advance) {
    note("  " + stamp() + " advance " + advance.by.text, false);
    start_scheduler();
    advance_in_steps(*io_, clock_, clock_.now() + advance.by.value);
    return true;
  }

  bool step(const ast::ClockStep& clock) {
    if (&clock == start_clock(test_)) return true;
    const auto target = std::chrono::time_point_cast<Duration>(clock.at.value);
    if (target < clock_.now()) {
      fail(location(program_.sources, clock.range) + ": clock " + clock.at.text + " is before the virtual time now (" +
               stamp() + "); time only moves forward",
           false);
      return false;
    }
    if (target == clock_.now()) return true;
    note("  " + stamp() + " clock " + clock.at.text, false);
    start_scheduler();
    advance_in_steps(*io_, clock_, target);
    return true;
  }

  bool step(const ast::ExpectStep& expect) {
    const auto value = evaluate_or_fail(expect.condition);
    if (!value) return true;  // reported; the test goes on
    const auto at = location(program_.sources, expect.range) + ": ";
    if (value->is<bool>() && value->as<bool>()) {
      ++outcome_.expects_passed;
      note("  " + stamp() + " expect " + source_text(expect.condition.range) + ": ok", false);
      return true;
    }
    fail(at + "expect failed: " + source_text(expect.condition.range), false);
    if (!value->is<bool>()) {
      note("    the condition is " + std::string(kind_name(value->kind())) + " " + shown_value(*value) +
           ", not a boolean");
    } else if (const auto* binary = std::get_if<ast::Binary>(&expect.condition.node);
               binary && is_comparison(binary->op)) {
      const auto side = [&](const ast::Expr& expr) {
        try {
          return shown_value(evaluate(expr, scope()));
        } catch (const RunError& e) {
          return std::string("(") + e.what() + ")";
        }
      };
      const auto sides = "    left:  " + side(*binary->lhs) + "\n    right: " + side(*binary->rhs);
      const bool masked = !options_.reveal_secrets && sides.find(kSecretMask) != std::string::npos;
      note(sides + (masked ? "\n    (secrets are masked: flow test --show-secrets shows them)" : ""));
    }
    return true;
  }

  /// What a test's expressions see: each datasource by name, with what its
  /// methods were sent (DS.M.calls, DS.M.requests, DS.M.last), as the names
  /// of the scope's fields; `bound` (a mocked answer's `request`) shadows them.
  Scope scope(const Locals* bound = nullptr) {
    return Scope{&datasources_, bound, &functions_, interpreter_.host().context()};
  }

  std::optional<Value> evaluate_or_fail(const ast::Expr& expr) {
    try {
      return evaluate(expr, scope());
    } catch (const LocatedError& e) {
      fail(render(program_.sources, Diagnostic{Severity::error, e.range(), e.what()}));
    } catch (const RunError& e) {
      fail(render(program_.sources, Diagnostic{Severity::error, expr.range, e.what()}));
    }
    return std::nullopt;
  }

  /// The answer to `request`, its expressions evaluated with `request` bound.
  HttpResult respond(const ast::MockAnswer& answer, Json request) {
    const Locals bound{{"request", Value(std::move(request))}};  // over a datasource named request
    return mocked_answer(answer, scope(&bound));
  }

  /// A run's log lines; its error is shown by the line that reports the run
  /// (a FAIL, or the scheduler's "run failed").
  void run_output(const RunResult& result) {
    remember_secrets(result.instance.fields);
    for (const auto& line : result.log) note("      " + line);
  }

  /// A run's (multi-line) error, set in under the step that ran it.
  static std::string indented(const std::string& error) {
    std::string out;
    std::size_t start = 0;
    while (start < error.size()) {
      const auto end = error.find('\n', start);
      const auto line = error.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
      out += "      " + line;
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return out;
  }

  std::string source_text(const SourceRange& range) const {
    const auto& text = program_.sources.file(range.file).text;
    return text.substr(range.begin.offset, range.end.offset - range.begin.offset);
  }

  std::string stamp() const { return format_iso(std::chrono::floor<std::chrono::seconds>(clock_.now())); }

  /// A line of the test's trace (printed when the test fails, or always with
  /// --verbose). `from_run`: text a run or a value produced, which may hold a
  /// secret; the rest quotes the test's own source.
  void note(std::string line, bool from_run = true) {
    if (line.empty() || line.back() != '\n') line += '\n';
    trace_.push_back({std::move(line), from_run});
  }

  void fail(const std::string& message, bool from_run = true) {
    outcome_.ok = false;
    note("  FAIL " + message, from_run);
  }

  /// A value as the report shows it. A text that is one of the secrets the
  /// test has seen (a request part read back through DS.M.last) is masked
  /// whole, without quotes, as every masked secret (--show-secrets shows it
  /// as the text it is).
  std::string shown_value(Value value) const {
    auto mask = SecretMask::derived;  // a text derived from a secret: its tail is any part of it
    if (!options_.reveal_secrets && value.is<std::string>() && value.as<std::string>().size() >= kMinSecretLength) {
      const auto& text = value.as<std::string>();
      if (secrets_.count(text) > 0 || sent_secrets_.count(text) > 0) {
        value.secret = true;
        mask = SecretMask::whole;
      }
    }
    return shown(value, options_.reveal_secrets, mask);
  }

  /// Every value a secret field held at any point of the test: a failure
  /// report masks them all, a token rotated out as much as the current one.
  void remember_secrets(const FieldMap& fields) {
    for (const auto& [name, value] : fields) {
      if (value.secret && !value.is_null()) secrets_.insert_or_assign(to_text(value), value);
    }
  }

  /// The trace with no secret in clear where a run's text shows it.
  std::string report() {
    try {
      for (const auto& instance : store_->list_instances()) remember_secrets(instance.fields);
    } catch (const std::exception&) {
      // What the runs left behind was remembered as they ended.
    }
    const auto secrets = secret_texts(secrets_, {sent_secrets_.begin(), sent_secrets_.end()});
    std::string out;
    for (auto [line, from_run] : trace_) {
      if (from_run && !options_.reveal_secrets) line = scrub_secrets(std::move(line), secrets);
      out += line;
    }
    return out;
  }

  const Program& program_;
  const FunctionRegistry& functions_;
  const ast::TestDecl& test_;
  TestOptions options_;
  std::map<std::string, std::string, std::less<>> environment_;
  FieldMap datasources_;  // what DS.M.calls/requests/last read, updated as calls come
  std::optional<asio::io_context> io_;
  VirtualClock clock_;
  std::unique_ptr<Store> store_;
  MockTransport transport_;
  Interpreter interpreter_;
  std::optional<InterpreterTaskRunner> runner_;
  std::optional<Scheduler> scheduler_;
  bool scheduler_done_ = false;
  std::exception_ptr scheduler_error_;
  std::map<std::string, MockAnswers> mocks_;
  std::map<std::string, int> unmocked_;  // calls without a mocked answer in the step under way, by method
  FieldMap secrets_;  // keyed by the secret's text
  std::set<std::string> sent_secrets_;  // what the calls sent of secrets (HttpRequest::secrets)
  std::vector<std::pair<std::string, bool>> trace_;
  TestOutcome outcome_;
};

}  // namespace

const ast::ClockStep* start_clock(const ast::TestDecl& test) {
  for (const auto& step : test.steps) {
    if (const auto* clock = std::get_if<ast::ClockStep>(&step.node)) return clock;
    if (!std::holds_alternative<ast::MockStep>(step.node)) return nullptr;
  }
  return nullptr;
}

TestOutcome run_test(const Program& program, const FunctionRegistry& functions, const ast::TestDecl& test,
                     const StoreFactory& make_store, const TestOptions& options) {
  TestRun run(program, functions, test, make_store(), options);
  return run.run();
}

}  // namespace flow
