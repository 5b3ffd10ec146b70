#pragma once
// The scheduler's TaskRunner over the interpreter: a scheduled task is a run of
// its trigger handler on its instance, recorded in history under its name.

#include <functional>
#include <string>

#include "engine/interpreter.hpp"
#include "engine/scheduler.hpp"

namespace flow {

class InterpreterTaskRunner final : public TaskRunner {
 public:
  /// `on_run` sees every finished run (the daemon logs it); may be empty.
  InterpreterTaskRunner(Interpreter& interpreter, std::function<void(const std::string&, const RunResult&)> on_run);

  boost::asio::awaitable<TaskOutcome> run_task(const ast::ScheduleDecl& schedule) override;
  std::optional<TimePoint> dynamic_next(const ast::ScheduleDecl& schedule) override;

  /// The Process ID a schedule runs on: its `id` expression evaluated, or none.
  std::optional<std::string> instance_id(const ast::ScheduleDecl& schedule) const;

 private:
  Interpreter& interpreter_;
  std::function<void(const std::string&, const RunResult&)> on_run_;
};

}  // namespace flow
