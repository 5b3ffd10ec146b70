#include "engine/task_runner.hpp"

#include "engine/dynamic_time.hpp"

namespace flow {

InterpreterTaskRunner::InterpreterTaskRunner(Interpreter& interpreter,
                                             std::function<void(const std::string&, const RunResult&)> on_run,
                                             ByHandHint by_hand)
    : interpreter_(interpreter), on_run_(std::move(on_run)), by_hand_(std::move(by_hand)) {}

std::optional<std::string> InterpreterTaskRunner::instance_id(const ast::ScheduleDecl& schedule) const {
  return schedule_instance_id(schedule, interpreter_.host());
}

boost::asio::awaitable<TaskOutcome> InterpreterTaskRunner::run_task(const ast::ScheduleDecl& schedule) {
  RunRequest request{schedule.process->text, schedule.trigger->text, instance_id(schedule), schedule.name};
  request.want_stored = false;  // on_run logs the run's own instance; nothing shows the store's copy
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
  const auto& program = interpreter_.program();
  const auto computed = schedule_time(program, interpreter_.host(), schedule, true);
  if (!computed) return next;
  const auto& time = computed->time;
  const std::string id = computed->id.value_or("");
  next.at = time.at;
  if (next.at) return next;
  if (!time.error) {
    next.waiting = "its time cannot be computed yet: " + null_fields_text(time.null_fields, id) +
                   ", so it does not run until a run sets " + (time.null_fields.size() == 1 ? "it" : "them") + "; " +
                   first_run_advice(schedule, id);
    return next;
  }
  next.waiting = "its time cannot be computed, so it does not run";
  next.detail = render(program.sources, *time.error);
  if (next.detail.ends_with('\n')) next.detail.pop_back();
  return next;
}

}  // namespace flow
