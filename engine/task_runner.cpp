#include "engine/task_runner.hpp"

#include "engine/eval.hpp"

namespace flow {

InterpreterTaskRunner::InterpreterTaskRunner(Interpreter& interpreter,
                                             std::function<void(const std::string&, const RunResult&)> on_run)
    : interpreter_(interpreter), on_run_(std::move(on_run)) {}

std::optional<std::string> InterpreterTaskRunner::instance_id(const ast::ScheduleDecl& schedule) const {
  if (!schedule.id) return std::nullopt;
  const auto& host = interpreter_.host();
  Scope scope;
  scope.functions = host.functions;
  scope.context = host.context();
  return to_text(evaluate(*schedule.id, scope));
}

boost::asio::awaitable<TaskOutcome> InterpreterTaskRunner::run_task(const ast::ScheduleDecl& schedule) {
  RunRequest request{schedule.process->text, schedule.trigger->text, instance_id(schedule), schedule.name};
  const RunResult result = co_await interpreter_.run(std::move(request));
  if (on_run_) on_run_(schedule.name, result);
  co_return TaskOutcome{result.ok, result.error, result.transient};
}

std::optional<TimePoint> InterpreterTaskRunner::dynamic_next(const ast::ScheduleDecl& schedule) {
  if (!schedule.when || !schedule.process) return std::nullopt;
  const auto* dynamic = std::get_if<ast::DynamicWhen>(&schedule.when->node);
  if (!dynamic) return std::nullopt;
  try {
    const Value at = interpreter_.evaluate_on(dynamic->at, schedule.process->text, instance_id(schedule));
    if (at.is<TimePoint>()) return at.as<TimePoint>();
  } catch (const RunError&) {
    // The fields it reads are not there yet (never refreshed): ask again later.
  }
  return std::nullopt;
}

}  // namespace flow
