#include "engine/task_runner.hpp"

#include "engine/dynamic_time.hpp"
#include "grammar/printable.hpp"
#include "grammar/unit_hint.hpp"

namespace flow {

namespace {

/// How many of the newest runs are searched for the task's button pressed by hand.
constexpr int kRecentRuns = 20;

/// The newest run that could have set a dynamic time's fields: the task's own,
/// or its button pressed by hand on its instance (`flow trigger`).
std::optional<RunRecord> last_run_of(Store& store, const ast::ScheduleDecl& schedule, const std::string& id) {
  std::optional<RunRecord> last;
  if (auto own = store.runs(schedule.name, 1); !own.empty()) last = std::move(own.front());
  for (auto& run : store.runs("", kRecentRuns)) {
    if (!run.task.empty() || run.instance_id != id || run.process != schedule.process->text ||
        run.handler != schedule.trigger->text)
      continue;
    if (!last || run.started > last->started) last = std::move(run);
    break;
  }
  return last;
}

/// A default a suggestion can give a null field of `type`, or empty: a
/// lifetime in seconds, as `expires_in` is. None for a datetime: `now()` would
/// keep the time in the future for ever.
std::string default_for(ast::FieldType type) {
  if (type == ast::FieldType::number) return "3600";
  if (type == ast::FieldType::duration) return "1 hour";
  return "";
}

/// `text` (an expression's source) with the first bare read of `name` given
/// `fallback`: `seconds(ExpiresIn ?? 3600)`, or `(ExpiresIn ?? 3600)` where
/// `??`, looser than `+`, needs them. Unchanged when there is none.
std::string with_fallback(std::string text, const std::string& name, const std::string& fallback) {
  bool quoted = false;
  for (std::size_t i = 0; i + name.size() <= text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;
    if (quoted || text.compare(i, name.size(), name) != 0) continue;
    const std::size_t end = i + name.size();
    const bool inside_name = (i > 0 && (syntax::is_word_char(text[i - 1]) || text[i - 1] == '.')) ||
                             (end < text.size() && syntax::is_word_char(text[end]));
    if (inside_name) continue;
    const auto before = text.find_last_not_of(' ', i == 0 ? std::string::npos : i - 1);
    const auto after = text.find_first_not_of(' ', end);
    const bool argument = before != std::string::npos && (text[before] == '(' || text[before] == ',') &&
                          after != std::string::npos && (text[after] == ')' || text[after] == ',');
    const std::string read = name + " ?? " + fallback;
    return text.replace(i, name.size(), argument ? read : "(" + read + ")");
  }
  return text;
}

/// The `at` expression as written with a default for each null field that can
/// have one, or empty when none can (or its source shows a secret otherwise).
std::string suggested_at(const Program& program, const ast::ScheduleDecl& schedule,
                         const std::vector<std::string>& null_fields) {
  const auto& at = std::get<ast::DynamicWhen>(schedule.when->node).at;
  const auto& file = program.sources.file(at.range.file);
  for (const auto& hidden : file.hidden)
    if (hidden.begin < at.range.end.offset && hidden.end > at.range.begin.offset) return "";
  const std::string original = file.text.substr(at.range.begin.offset, at.range.end.offset - at.range.begin.offset);
  const auto& process = program.require_process(*schedule.process);
  std::string text = original;
  for (const auto& name : null_fields) {
    for (const auto& field : process.fields) {
      if (field.name.text != name || default_for(field.type).empty()) continue;
      text = with_fallback(std::move(text), name, default_for(field.type));
    }
  }
  return text == original ? "" : "at " + text + ";";
}

}  // namespace

void count_run_by_hand(Store& store, const std::string& name, TimePoint started, bool ok) {
  // Counted in the store itself: a daemon or an admin command may write the state meanwhile.
  TaskUpdate update;
  update.name = name;
  update.new_runs = 1;
  update.last_run = started;
  update.later_only = true;  // a daemon's run may have begun later
  update.retry_done = ok;
  store.update_task(update);
}

InterpreterTaskRunner::InterpreterTaskRunner(Interpreter& interpreter,
                                             std::function<void(const std::string&, const RunResult&)> on_run,
                                             ByHandHint by_hand, TaskWaitNotice on_wait)
    : interpreter_(interpreter), on_run_(std::move(on_run)), by_hand_(std::move(by_hand)),
      on_wait_(std::move(on_wait)) {}

std::optional<std::string> InterpreterTaskRunner::instance_id(const ast::ScheduleDecl& schedule) const {
  return schedule_instance_id(schedule, interpreter_.host());
}

boost::asio::awaitable<TaskOutcome> InterpreterTaskRunner::run_task(const ast::ScheduleDecl& schedule) {
  RunRequest request{schedule.process->text, schedule.trigger->text, instance_id(schedule), schedule.name};
  request.want_stored = false;  // on_run logs the run's own instance; nothing shows the store's copy
  if (on_wait_) {
    request.on_wait_for_other_process = [this, task = schedule.name, process = request.process,
                                         id = request.instance_id.value_or("")](const std::string& held_process,
                                                                                const std::string& held_id) {
      on_wait_(TaskWait{task, process, id, held_process, held_id});
    };
  }
  // A `flow trigger` beside the daemon may have been killed in its call since
  // the last run: said in this run's log, as the refusal it may bring.
  auto lost = interpreter_.host().store->record_calls_lost();
  RunResult result = co_await interpreter_.run(std::move(request));
  for (auto& line : lost) line = printable(line);
  result.log.insert(result.log.begin(), lost.begin(), lost.end());
  if (on_run_) on_run_(schedule.name, result);
  co_return TaskOutcome{result.ok, result.error, result.transient, result.stopped};
}

std::string InterpreterTaskRunner::by_hand(const ast::ScheduleDecl& schedule, const std::string& id) const {
  return by_hand_ ? by_hand_(schedule, id)
                  : schedule.process->text + "." + schedule.trigger->text + (id.empty() ? "" : " on " + id);
}

std::string InterpreterTaskRunner::first_run_advice(const ast::ScheduleDecl& schedule, const std::string& id) const {
  std::string advice = "run it once by hand: " + by_hand(schedule, id);
  // Already set, it ran once: that first run failed, and running it again by hand is what is left.
  if (!schedule.first_run_now) advice += ", or add `first run now;` to the schedule";
  return advice;
}

std::string InterpreterTaskRunner::waiting_for_fields(const ast::ScheduleDecl& schedule, const std::string& id,
                                                      const std::vector<std::string>& null_fields) const {
  const std::string them = null_fields.size() == 1 ? "it" : "them";
  const auto last = last_run_of(*interpreter_.host().store, schedule, id);
  if (!last) {
    return "its time cannot be computed yet: " + null_fields_text(null_fields, id) +
           ", so it does not run until a run sets " + them + "; " + first_run_advice(schedule, id);
  }
  // A run has been: a run by hand is no answer if the provider's answer lacks the values.
  const std::string suggested = suggested_at(interpreter_.program(), schedule, null_fields);
  const std::string give_default = suggested.empty() ? "give the expression a default for " + them + " with `??`"
                                                     : "give the expression a default, e.g. `" + suggested + "`";
  const std::string after = "its time cannot be computed: " + null_fields_text(null_fields, id) +
                            " after its last run (" + format_iso(last->started) + "), which ";
  if (last->ok) {
    return after + "succeeded: the answer did not provide " + them + ", and another run would get the same; " +
           give_default;
  }
  return after + "failed: if the answer did not provide " + them + " (or gave a value " +
         (null_fields.size() == 1 ? "its" : "their") + " type refuses), " + give_default +
         "; else run it again by hand once the failure is mended: " + by_hand(schedule, id);
}

const std::string& InterpreterTaskRunner::waiting_note(const ast::ScheduleDecl& schedule,
                                                        const ScheduleTime& computed) {
  const std::string id = computed.id.value_or("");
  const std::uint64_t runs_ended = interpreter_.runs_ended();
  auto& note = waiting_[schedule.name];  // its text empty: not computed yet
  const bool same = !note.text.empty() && note.id == id && note.null_fields == computed.time.null_fields &&
                    note.revision == computed.revision && note.runs_ended == runs_ended;
  if (!same) {
    note = WaitingNote{id, computed.time.null_fields, computed.revision, runs_ended,
                       waiting_for_fields(schedule, id, computed.time.null_fields)};
  }
  return note.text;
}

DynamicNext InterpreterTaskRunner::dynamic_next(const ast::ScheduleDecl& schedule) {
  DynamicNext next;
  const auto& program = interpreter_.program();
  const auto computed = schedule_time(program, interpreter_.host(), schedule, true);
  if (!computed) return next;
  const auto& time = computed->time;
  const std::string id = computed->id.value_or("");
  next.at = time.at;
  next.revision = computed->revision;
  if (next.at) return next;
  if (!time.error) {
    next.waiting = waiting_note(schedule, *computed);
    return next;
  }
  next.waiting = "its time cannot be computed, so it does not run";
  next.detail = render(program.sources, *time.error);
  if (next.detail.ends_with('\n')) next.detail.pop_back();
  return next;
}

}  // namespace flow
