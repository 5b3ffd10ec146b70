// Schedules: what they run (process, id, trigger) and when (the timing rules of
// engine/schedule.cpp, whose make_schedule_spec is the one validator: the
// checker only adds precise locations for the zone and the cron text, and
// warnings for settings that work but are likely mistakes).
#include <date/tz.h>

#include "engine/check_context.hpp"
#include "engine/handler_reach.hpp"
#include "engine/program.hpp"
#include "engine/schedule.hpp"
#include "grammar/parser.hpp"

namespace flow::check {

namespace {

constexpr auto kShortestQuietInterval = std::chrono::minutes(1);
constexpr int kMostRetries = 10;

std::vector<std::string> zone_names() {
  std::vector<std::string> out;
  const auto& db = date::get_tzdb();
  for (const auto& zone : db.zones) out.push_back(zone.name());
  return out;
}

Duration interval_length(const ast::IntervalWhen& when) {
  using namespace std::chrono;
  switch (when.unit) {
    case ast::TimeUnit::seconds: return seconds(when.count);
    case ast::TimeUnit::minutes: return minutes(when.count);
    case ast::TimeUnit::hours: return hours(when.count);
    case ast::TimeUnit::days: return hours(24 * when.count);
    case ast::TimeUnit::weeks: return hours(24 * 7 * when.count);
    case ast::TimeUnit::months: return hours(24 * 28 * when.count);  // the shortest month
  }
  return Duration(0);
}

}  // namespace

/// Checks one schedule (a class of this file, to keep Checker's declaration small).
class ScheduleChecker {
 public:
  ScheduleChecker(Checker& checker, const ast::ScheduleDecl& schedule) : checker_(checker), schedule_(schedule) {}

  void run() {
    const auto* process = target();
    const bool zone_ok = zone();
    const bool cron_ok = cron();
    if (!schedule_.when) {
      error(schedule_.name_range, "schedule '" + schedule_.name +
                                      "' says nothing about when it runs (every, cron, once or at)");
    } else if (zone_ok && cron_ok && values_known()) {
      validate();
    }
    if (schedule_.when) dynamic_time(process);
    warnings();
    if (process) unsaved(*process);
  }

 private:
  void error(SourceRange at, std::string message) { checker_.diagnostics().error(at, std::move(message)); }
  void warning(SourceRange at, std::string message) { checker_.diagnostics().warning(at, std::move(message)); }

  /// process / id / trigger; returns the process when it exists.
  const ast::ProcessDecl* target() {
    const ast::ProcessDecl* process = nullptr;
    if (!schedule_.process)
      error(schedule_.name_range, "schedule '" + schedule_.name + "' names no process (add `process NAME;`)");
    else
      process = checker_.find_process(*schedule_.process);
    if (!schedule_.trigger)
      error(schedule_.name_range, "schedule '" + schedule_.name + "' names no handler to run (add `trigger NAME;`)");
    else if (process)
      checker_.find_handler(*process, *schedule_.trigger);
    if (schedule_.id) {
      ExprScope scope;
      scope.no_fields = "a schedule's id is computed before any instance is open";
      checker_.check_instance_id(*schedule_.id, checker_.expr(*schedule_.id, scope), process);
    }
    return process;
  }

  bool zone() {
    if (!schedule_.timezone) return true;
    try {
      date::locate_zone(*schedule_.timezone);
      return true;
    } catch (const std::exception&) {
      error(schedule_.timezone_range,
            "unknown time zone '" + *schedule_.timezone + "'" + did_you_mean(*schedule_.timezone, zone_names()));
      return false;
    }
  }

  /// False when `once at` or `expires` is an impossible date, or a number of
  /// the time rule is out of range (`every 0 minutes`), reported where it
  /// stands: the schedule's times cannot be known, nor judged.
  bool values_known() const {
    if (!schedule_.when->known) return false;
    const auto* once = std::get_if<ast::OnceWhen>(&schedule_.when->node);
    if (once && !names_a_value(once->at)) return false;
    return !(schedule_.expires && schedule_.expires->at && !names_a_value(*schedule_.expires->at));
  }

  bool cron() {
    const auto* cron = schedule_.when ? std::get_if<ast::CronWhen>(&schedule_.when->node) : nullptr;
    if (!cron) return true;
    try {
      parse_cron(cron->expression);
      return true;
    } catch (const ScheduleError& e) {
      error(cron->range, e.what());
      return false;
    }
  }

  /// Everything else make_schedule_spec refuses (`every 0 minutes`, 25:00, day 32).
  void validate() {
    try {
      const auto spec = make_schedule_spec(schedule_);
      expired(spec);
      far_away(spec);
    } catch (const ScheduleError& e) {
      const bool first_run = std::string_view(e.what()) == kFirstRunNowOnlyAt;
      error(first_run ? schedule_.first_run_range : schedule_.when->range, e.what());
    }
  }

  /// `expires 2020-01-01`: no slot is at or after it, so the task never runs
  /// (a warning: the file may be old on purpose, kept for its history).
  void expired(const ScheduleSpec& spec) {
    const auto now = checker_.now();
    if (!now || !spec.expires_at || *spec.expires_at > *now) return;
    warning(schedule_.expires->range, "expires " + schedule_.expires->at->text +
                                          " has passed: this schedule will never run");
  }

  /// `once at 2300-01-01`: it would run, but nobody waiting for it will see it.
  void far_away(const ScheduleSpec& spec) {
    const auto* once = std::get_if<OnceSpec>(&spec.when);
    const auto now = checker_.now();
    if (!once || !now || once->at - *now <= kFarthestPlausible) return;
    const auto& text = std::get<ast::OnceWhen>(schedule_.when->node).at.text;
    warning(schedule_.when->range, "once at " + text + " is more than 100 years away: is the year right?");
  }

  void dynamic_time(const ast::ProcessDecl* process) {
    const auto* dynamic = std::get_if<ast::DynamicWhen>(&schedule_.when->node);
    if (!dynamic) return;
    const auto type = checker_.expr(dynamic->at, ExprScope{process});
    checker_.check_kind(dynamic->at, type, ValueKind::datetime, "the time of `at`");
    // Without an id every run is on a new instance, whose fields are empty:
    // the time could never be computed, and the task would never run.
    if (!schedule_.id) {
      error(schedule_.when->range, "`at` reads its time from the fields of one saved instance: name it with `id \"ID\";` "
                                   "(without an id each run is on a new, empty instance, so the time is never known)");
    }
  }

  void warnings() {
    const auto* interval = schedule_.when ? std::get_if<ast::IntervalWhen>(&schedule_.when->node) : nullptr;
    const bool counts = interval && interval->count > 0;
    if (counts && interval_length(*interval) < kShortestQuietInterval) {
      warning(schedule_.when->range, "every " + format_duration(interval_length(*interval)) +
                                         " is more often than once a minute; every run calls out and writes history");
    }
    if (counts && schedule_.jitter && *schedule_.jitter >= interval_length(*interval)) {
      warning(schedule_.when->range, "jitter " + format_duration(*schedule_.jitter) + " is not shorter than the interval (" +
                                         format_duration(interval_length(*interval)) + "), so runs can bunch up");
    }
    if (schedule_.retry) retry(*schedule_.retry);
  }

  /// A handler that changes fields and never saves keeps nothing of a
  /// scheduled run, while the daemon logs `ok` each time.
  void unsaved(const ast::ProcessDecl& process) {
    const auto* handler = schedule_.trigger ? Program::handler(process, schedule_.trigger->text) : nullptr;
    if (!handler) return;
    const auto reach = reach_of(process, *handler);
    if (!reach.changes || reach.saves) return;
    warning(schedule_.trigger->range, "handler " + handler->name.text + " of " + process.name.text +
                                          " changes fields but never saves: each scheduled run keeps nothing "
                                          "(add `save;`)");
  }

  void retry(const ast::RetryPolicy& policy) {
    if (policy.times == 0) warning(policy.range, "retry 0 times never retries");
    if (policy.times > kMostRetries) {
      warning(policy.range, "retry " + std::to_string(policy.times) + " times keeps hammering a failing service; at most " +
                                std::to_string(kMostRetries) + " is sensible");
    }
    // A backoff too long to hold (reported at it) is one all the same.
    const bool no_backoff = !policy.backoff || (names_a_value(*policy.backoff) && policy.backoff->value.count() == 0);
    if (policy.times > 0 && no_backoff)
      warning(policy.range, "retry without backoff retries at once; add `backoff 30s`");
  }

  Checker& checker_;
  const ast::ScheduleDecl& schedule_;
};

void Checker::check_schedule(const ast::ScheduleDecl& schedule) { ScheduleChecker(*this, schedule).run(); }

}  // namespace flow::check
