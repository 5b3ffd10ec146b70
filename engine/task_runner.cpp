#include "engine/task_runner.hpp"

#include "engine/dynamic_time.hpp"
#include "engine/eval.hpp"
#include "engine/instances.hpp"

namespace flow {

InterpreterTaskRunner::InterpreterTaskRunner(Interpreter& interpreter,
                                             std::function<void(const std::string&, const RunResult&)> on_run,
                                             ByHandHint by_hand)
    : interpreter_(interpreter), on_run_(std::move(on_run)), by_hand_(std::move(by_hand)) {}

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
  co_return TaskOutcome{result.ok, result.error, result.transient, result.stopped};
}

std::string InterpreterTaskRunner::first_run_advice(const ast::ScheduleDecl& schedule, const std::string& id) const {
  std::string advice = "run it once by hand: ";
  advice += by_hand_ ? by_hand_(schedule, id)
                     : schedule.process->text + "." + schedule.trigger->text + (id.empty() ? "" : " on " + id);
  // Already set, it ran once: that first run failed, and running it again by hand is what is left.
  if (!schedule.first_run_now) advice += ", or add `first run now;` to the schedule";
  return advice;
}

DynamicNext InterpreterTaskRunner::dynamic_next(const ast::ScheduleDecl& schedule) {
  DynamicNext next;
  const auto* dynamic = schedule.when ? std::get_if<ast::DynamicWhen>(&schedule.when->node) : nullptr;
  if (!dynamic || !schedule.process) return next;
  const auto& program = interpreter_.program();
  const auto& host = interpreter_.host();
  std::optional<std::string> id;
  std::optional<Diagnostic> failure;
  DynamicTime time;
  try {
    id = instance_id(schedule);
    const auto instance = load_or_create(program, *host.store, program.require_process(*schedule.process), id, host);
    time = dynamic_time(dynamic->at, Scope{&instance.fields, nullptr, host.functions, host.context(instance.id)});
    failure = time.error;
  } catch (const LocatedError& e) {  // the id's expression, or a stored value its field's type refuses
    failure = Diagnostic{Severity::error, e.range(), e.what()};
  } catch (const RunError& e) {  // no such instance
    failure = Diagnostic{Severity::error, schedule.id ? schedule.id->range : dynamic->at.range, e.what()};
  }
  next.at = time.at;
  if (next.at) return next;
  if (!failure) {
    next.waiting = "its time cannot be computed yet: " + null_fields_text(time.null_fields, id.value_or("")) +
                   ", so it does not run until a run sets " + (time.null_fields.size() == 1 ? "it" : "them") + "; " +
                   first_run_advice(schedule, id.value_or(""));
    return next;
  }
  next.waiting = "its time cannot be computed, so it does not run";
  next.detail = render(program.sources, *failure);
  if (next.detail.ends_with('\n')) next.detail.pop_back();
  return next;
}

}  // namespace flow
