#include "engine/interpreter.hpp"

#include "engine/commit_queue.hpp"
#include "engine/exec.hpp"
#include "engine/instance_locks.hpp"
#include "engine/instances.hpp"

namespace flow {

namespace asio = boost::asio;

class Interpreter::Impl {
 public:
  explicit Impl(const Host& host) : commits(host.store, host.clock) {}
  InstanceLocks locks;
  CommitQueue commits;
};

Interpreter::Interpreter(const Program& program, Host host, RunOptions options)
    : program_(program), host_(host), options_(options), impl_(std::make_unique<Impl>(host_)) {}

Interpreter::~Interpreter() = default;

namespace {

std::string render_located(const Program& program, const LocatedError& error, const FieldMap& fields) {
  Diagnostic d{Severity::error, error.range(), scrub_secrets(error.what(), fields)};
  std::string out = render(program.sources, d);
  for (const auto& [frame, at] : error.trace()) out += "  in " + frame + " (" + location(program.sources, at) + ")\n";
  return out;
}

RunRecord history_record(const RunRequest& request, const RunState& state, const RunResult& result,
                         TimePoint started, TimePoint finished) {
  RunRecord record;
  record.task = request.task;
  record.instance_id = state.instance.id;
  record.process = request.process;
  record.handler = request.handler;
  record.started = started;
  record.finished = finished;
  record.ok = result.ok;
  record.message = result.error;
  record.log = state.masked_log;
  return record;
}

}  // namespace

void Interpreter::record_history_alone(const RunRequest& request, RunState& state, const RunResult& result,
                                       TimePoint started) {
  try {
    host_.store->record_run(history_record(request, state, result, started, host_.clock->now()));
  } catch (const StoreError& e) {
    state.log.push_back(std::string("warning: run history not recorded: ") + e.what());
  }
}

std::vector<std::string> Interpreter::seed_instances() {
  std::vector<std::string> errors;
  for (const auto* declaration : program_.instances()) {
    try {
      if (host_.store->load_instance(declaration->id)) continue;
      const auto& process = program_.require_process(declaration->process);
      host_.store->seed_instance(instance_from_declaration(process, declaration, host_), host_.clock->now());
    } catch (const LocatedError& e) {
      errors.push_back(render_located(program_, e, {}));
    } catch (const RunError& e) {
      errors.push_back(location(program_.sources, declaration->range) + ": error: " + e.what() + "\n");
    }
  }
  return errors;
}

asio::awaitable<RunResult> Interpreter::run(RunRequest request, std::optional<InstanceRecord> preview) {
  return run_counted(RunInFlight(impl_->commits), std::move(request), std::move(preview));
}

asio::awaitable<RunResult> Interpreter::run_counted([[maybe_unused]] RunInFlight in_flight, RunRequest request,
                                                    std::optional<InstanceRecord> preview) {
  RunResult result;
  const auto* process = program_.process(request.process);
  const auto* handler = process ? Program::handler(*process, request.handler) : nullptr;
  if (!process || !handler) {
    result.error = process ? "error: process " + request.process + " has no handler '" + request.handler + "'\n"
                           : "error: unknown process '" + request.process + "'\n";
    co_return result;
  }
  // Not a conditional expression: g++ 12 mishandles co_await inside `?:` temporaries.
  if (preview && !preview->id.empty()) request.instance_id = preview->id;
  InstanceLocks::Guard guard;
  if (request.instance_id) guard = co_await impl_->locks.acquire(*request.instance_id);
  const auto started = host_.clock->now();
  RunState state{program_, host_, options_, impl_->locks, impl_->commits, process, {}, {}, {}, false, 0, {}};
  try {
    if (preview) state.instance = std::move(*preview);
    else state.instance = load_or_create(program_, *host_.store, *process, request.instance_id, host_);
    Executor executor(state);
    if (const auto* on_load = Program::load_handler(*process)) co_await executor.run_handler(*on_load);
    co_await executor.run_handler(*handler);
    result.ok = true;
  } catch (const LocatedError& e) {
    result.error = render_located(program_, e, state.instance.fields);
    result.transient = e.transient();
  } catch (const StoreError& e) {
    result.error = std::string("error: store: ") + e.what() + "\n";
  } catch (const RunError& e) {
    result.error = "error: " + scrub_secrets(e.what(), state.instance.fields) + "\n";
  }
  // The run's held-back writes and its history record: one transaction.
  const bool writes_instance = state.pending.writes_instance();
  try {
    co_await state.commit(history_record(request, state, result, started, host_.clock->now()));
  } catch (const StoreError& e) {
    if (writes_instance) {
      result.ok = false;
      result.transient = false;
      result.error += std::string("error: store: ") + e.what() + "\n";  // after the run's own error, if any
      record_history_alone(request, state, result, started);
    } else {
      state.log.push_back(std::string("warning: run history not recorded: ") + e.what());
    }
  }
  result.log = std::move(state.log);
  result.instance = std::move(state.instance);
  result.saved = state.saved;
  co_return result;
}

Value Interpreter::evaluate_on(const ast::Expr& expr, const std::string& process_name,
                               const std::optional<std::string>& id) {
  const auto* process = program_.process(process_name);
  if (!process) throw RunError("unknown process '" + process_name + "'");
  const auto instance = load_or_create(program_, *host_.store, *process, id, host_);
  Scope scope;
  scope.fields = &instance.fields;
  scope.functions = host_.functions;
  scope.context.clock = host_.clock;
  scope.context.store = host_.store;
  scope.context.instance_id = instance.id;
  return evaluate(expr, scope);
}

}  // namespace flow
