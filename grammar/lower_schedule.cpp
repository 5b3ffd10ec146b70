// Lowering of `schedule "Name" { ... }` (LANGUAGE.md section 6).

#include <charconv>
#include <set>

#include "grammar/grammar.hpp"
#include "grammar/lower.hpp"
#include "grammar/parser.hpp"

namespace flow::syntax {
namespace {

ast::TimeUnit time_unit_of(std::string_view unit) {
  using U = ast::TimeUnit;
  if (unit == "s" || unit.starts_with("second")) return U::seconds;
  if (unit == "m" || unit.starts_with("minute")) return U::minutes;
  if (unit == "h" || unit.starts_with("hour")) return U::hours;
  if (unit == "d" || unit.starts_with("day")) return U::days;
  if (unit == "w" || unit.starts_with("week")) return U::weeks;
  return U::months;
}

int ordinal_of(std::string_view word) {
  if (word == "last") return -1;
  if (word == "second") return 2;
  if (word == "third") return 3;
  if (word == "fourth") return 4;
  if (word == "fifth") return 5;
  return 1;
}

bool is_time_rule(const Node& node) {
  return node.is_type<every_stmt>() || node.is_type<cron_stmt>() || node.is_type<once_stmt>() ||
         node.is_type<at_stmt>();
}

/// The leading keyword of a schedule statement, for "already set" messages.
std::string keyword_of(const Node& node) {
  const auto text = node.string_view();
  return std::string(text.substr(0, text.find_first_of(" \t\r\n/;<{")));
}

}  // namespace

// schedule_decl: [schedule_name, statement...]; each statement may appear once,
// and only one of every/cron/once/at. A second one is reported at it and not
// lowered, so lowering goes on: the first one wins, the schedule is judged as
// first written, and nothing in the second (an unknown process, a literal out
// of range) is reported besides.
ast::ScheduleDecl Lowerer::schedule(const Node& node) const {
  ast::ScheduleDecl result;
  result.name = constant_string(*node.children.front());
  result.name_range = range(*node.children.front());
  result.range = range(node);
  std::set<std::string> seen;
  for (std::size_t i = 1; i < node.children.size(); ++i) {
    const Node& item = *node.children[i];
    const std::string key = is_time_rule(item) ? "every" : keyword_of(item);
    if (seen.insert(key).second) {
      schedule_item(result, item);
    } else {
      note_error({range(item), is_time_rule(item)
                                   ? "a schedule has one time rule (every, cron, once or at); this is a second one"
                                   : "'" + key + "' is already set in this schedule"});
    }
  }
  return result;
}

void Lowerer::schedule_item(ast::ScheduleDecl& schedule, const Node& node) const {
  if (node.is_type<first_run_stmt>()) {  // no argument
    schedule.first_run_now = true;
    schedule.first_run_range = range(node);
    return;
  }
  const Node& arg = *node.children.front();
  const auto when = [&](auto&& value) { schedule.when = ast::ScheduleWhen{std::move(value), range(node)}; };
  if (node.is_type<every_stmt>()) {
    schedule.when = every(arg);
    schedule.when->range = range(node);  // the whole `every ...;` statement, like the other forms
  } else if (node.is_type<cron_stmt>()) {
    when(ast::CronWhen{constant_string(arg), range(arg)});
  } else if (node.is_type<once_stmt>()) {
    when(ast::OnceWhen{datetime(arg)});
  } else if (node.is_type<at_stmt>()) {
    when(ast::DynamicWhen{expression(arg)});
  } else if (node.is_type<timezone_stmt>()) {
    schedule.timezone = constant_string(arg);
    schedule.timezone_range = range(arg);
  } else if (node.is_type<process_stmt>()) {
    schedule.process = name(arg);
  } else if (node.is_type<id_stmt>()) {
    schedule.id = expression(arg);
  } else if (node.is_type<trigger_stmt>()) {
    schedule.trigger = name(arg);
  } else if (node.is_type<expires_stmt>()) {
    schedule.expires = expiry(node);  // none when its number is out of range: there is nothing to judge
  } else if (node.is_type<overlap_stmt>()) {
    schedule.on_overlap = arg.string_view() == "queue" ? ast::OverlapPolicy::queue : ast::OverlapPolicy::skip;
  } else if (node.is_type<missed_stmt>()) {
    schedule.on_missed = arg.string_view() == "skip" ? ast::MissedPolicy::skip : ast::MissedPolicy::run_once;
  } else if (node.is_type<retry_stmt>()) {
    // A count out of range is reported at it: every retry warning turns on the count, so the policy is left out.
    const auto times = integer(arg, 0, 100, "the number of retries");
    std::optional<ast::DurationLiteral> backoff;
    if (node.children.size() > 1) backoff = duration(*node.children[1]);  // kept when too long: one was given
    if (times) schedule.retry = ast::RetryPolicy{static_cast<int>(*times), std::move(backoff), range(node)};
  } else if (const auto jitter = duration(arg); names_a_value(jitter)) {
    schedule.jitter = jitter.value;  // (one of unknown length is reported at it, and not judged)
  }
}

// every_stmt child: every_interval [interval_suffix | interval_word] | every_day [time_of_day] |
// every_weekday [time_of_day] | every_weekdays [weekday_name..., time_of_day] |
// every_month [month_day [day_number] | month_nth [ordinal, weekday_name], time_of_day] |
// every_hour [minute_number]
ast::ScheduleWhen Lowerer::every(const Node& node) const {
  // A number out of range is reported at it and lowering goes on: zero holds its
  // place, and the rule is marked unknown, so that it is not judged.
  bool known = true;
  const auto or_zero = [&known]<typename T>(std::optional<T> value) {
    known = known && value.has_value();
    return value.value_or(T{});
  };
  const auto at = [&](auto&& value) { return ast::ScheduleWhen{std::move(value), range(node), known}; };
  const auto& kids = node.children;
  if (node.is_type<every_interval>()) {
    const auto text = node.string_view();
    const auto digits_end = text.find_first_not_of("0123456789");
    std::int64_t count = 0;
    std::from_chars(text.data(), text.data() + digits_end, count);
    std::optional<std::int64_t> interval = count;
    if (count < 1 || digits_end > 9) {
      note_error({range(node), "the interval must be between 1 and 999999999"});
      interval.reset();
    }
    return at(ast::IntervalWhen{or_zero(interval), time_unit_of(kids.front()->string_view())});
  }
  if (node.is_type<every_day>()) return at(ast::DailyWhen{{}, or_zero(time_of_day(*kids.front()))});
  if (node.is_type<every_weekday>()) {
    using W = ast::Weekday;
    return at(ast::DailyWhen{{W::monday, W::tuesday, W::wednesday, W::thursday, W::friday},
                             or_zero(time_of_day(*kids.front()))});
  }
  if (node.is_type<every_weekdays>()) {
    ast::DailyWhen daily{{}, or_zero(time_of_day(*kids.back()))};
    for (std::size_t i = 0; i + 1 < kids.size(); ++i) daily.days.push_back(weekday(*kids[i]));
    return at(std::move(daily));
  }
  if (node.is_type<every_month>()) {
    ast::MonthlyWhen monthly;
    const Node& spec = *kids.front();
    if (spec.is_type<month_day>()) {
      monthly.day_of_month = static_cast<int>(or_zero(integer(*spec.children.front(), 1, 31, "the day of the month")));
    } else {
      monthly.nth = ordinal_of(spec.children[0]->string_view());
      monthly.weekday = weekday(*spec.children[1]);
    }
    monthly.at = or_zero(time_of_day(*kids.back()));
    return at(monthly);
  }
  return at(ast::HourlyWhen{static_cast<int>(or_zero(integer(*kids.front(), 0, 59, "the minute")))});
}

std::optional<ast::TimeOfDay> Lowerer::time_of_day(const Node& node) const {
  const auto text = node.string_view();
  const auto colon = text.find(':');
  int hour = 0, minute = 0;
  std::from_chars(text.data(), text.data() + colon, hour);
  std::from_chars(text.data() + colon + 1, text.data() + text.size(), minute);
  if (hour <= 23 && minute <= 59) return ast::TimeOfDay{hour, minute};
  note_error({range(node), "invalid time of day '" + node.string() + "' (00:00 to 23:59)"});
  return std::nullopt;
}

ast::Weekday Lowerer::weekday(const Node& node) const {
  static constexpr std::string_view names[] = {"sunday",   "monday", "tuesday", "wednesday",
                                               "thursday", "friday", "saturday"};
  for (int i = 0; i < 7; ++i)
    if (node.string_view() == names[i]) return static_cast<ast::Weekday>(i);
  fail(node, "internal error: unknown weekday");
}

// expires_stmt: [expires_after [run_count] | datetime_lit]
std::optional<ast::Expiry> Lowerer::expiry(const Node& node) const {
  const Node& spec = *node.children.front();
  ast::Expiry result{std::nullopt, std::nullopt, range(node)};
  if (spec.is_type<expires_after>()) {
    result.after_runs = integer(*spec.children.front(), 1, 1'000'000'000, "the number of runs");
    if (!result.after_runs) return std::nullopt;
  } else {
    result.at = datetime(spec);
  }
  return result;
}

}  // namespace flow::syntax
