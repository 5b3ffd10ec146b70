#include "engine/schedule.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace flow {

namespace {

using namespace std::chrono_literals;
using LocalTime = date::local_time<Duration>;

constexpr int kMaxCronYears = 9;  // Feb 29 can be 8 years away (2096 -> 2104)

// ------------------------------------------------------------------ cron parse

struct CronField {
  std::string_view name;
  int min;
  int max;
  const std::array<std::string_view, 12>* names;  // value names, in full (first = min)
  std::string_view names_accepted;                 // for the message when a word is none of them
};

// A name matches in full or by its first three letters, in any case.
constexpr std::array<std::string_view, 12> kMonthNames = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december"};
constexpr std::array<std::string_view, 12> kWeekdayNames = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "", "", "", "", ""};

[[noreturn]] void cron_fail(std::string_view expression, std::string_view message) {
  throw ScheduleError("cron \"" + std::string(expression) + "\": " + std::string(message));
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

/// The value `word` names in `field` (sun, Sunday, JAN, january), if any.
std::optional<int> cron_name(const CronField& field, std::string_view word) {
  if (!field.names || word.size() < 3) return std::nullopt;
  std::string lower;
  for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < field.names->size(); ++i) {
    std::string_view name = (*field.names)[i];
    if (!name.empty() && (lower == name || lower == name.substr(0, 3))) return field.min + static_cast<int>(i);
  }
  return std::nullopt;
}

int cron_value(std::string_view expression, const CronField& field, std::string_view text) {
  if (auto named = cron_name(field, text)) return *named;
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    std::string what = std::string(field.name) + ": \"" + std::string(text) + "\" is not a number";
    if (field.names) what += " " + std::to_string(field.min) + "-" + std::to_string(field.max) + " or " +
                             std::string(field.names_accepted);
    cron_fail(expression, what);
  }
  if (value < field.min || value > field.max) {
    cron_fail(expression, std::string(field.name) + ": " + std::to_string(value) + " is out of range " +
                              std::to_string(field.min) + "-" + std::to_string(field.max));
  }
  return value;
}

/// One comma-separated item: `*`, `*/n`, `a`, `a-b`, `a-b/n`, `a/n`. Calls `set` per value.
template <typename Set>
void parse_cron_item(std::string_view expression, const CronField& field, std::string_view item, Set set) {
  int step = 1;
  if (auto slash = item.find('/'); slash != std::string_view::npos) {
    std::string_view step_text = item.substr(slash + 1);
    auto [end, error] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
    if (step_text.empty() || error != std::errc() || end != step_text.data() + step_text.size() ||
        step < 1) {
      cron_fail(expression, std::string(field.name) + ": bad step \"" + std::string(step_text) + "\"");
    }
    item = item.substr(0, slash);
  }
  int low = field.min;
  int high = field.max;
  if (item != "*") {
    auto dash = item.find('-');
    low = cron_value(expression, field, item.substr(0, dash));
    high = dash == std::string_view::npos ? (step > 1 ? field.max : low)
                                          : cron_value(expression, field, item.substr(dash + 1));
    if (high < low) {
      cron_fail(expression, std::string(field.name) + ": range " + std::string(item) + " is backwards");
    }
  }
  for (int v = low; v <= high; v += step) set(v);
}

template <std::size_t N>
bool parse_cron_field(std::string_view expression, const CronField& field, std::string_view text,
                      std::bitset<N>& bits, bool weekday) {
  for (std::string_view item : split(text, ',')) {
    if (item.empty()) cron_fail(expression, std::string(field.name) + ": empty list item");
    parse_cron_item(expression, field, item,
                    [&](int v) { bits.set(static_cast<std::size_t>(weekday && v == 7 ? 0 : v)); });
  }
  return text.front() != '*';
}

std::string_view expand_macro(std::string_view expression) {
  if (expression == "@hourly") return "0 * * * *";
  if (expression == "@daily" || expression == "@midnight") return "0 0 * * *";
  if (expression == "@weekly") return "0 0 * * 0";
  if (expression == "@monthly") return "0 0 1 * *";
  if (expression == "@yearly" || expression == "@annually") return "0 0 1 1 *";
  return expression;
}

// ------------------------------------------------------------------ wall clock

LocalTime to_local(const date::time_zone* zone, TimePoint t) {
  return std::chrono::time_point_cast<Duration>(zone->to_local(t));
}

LocalTime at_time(date::local_days day, const ast::TimeOfDay& at) {
  return LocalTime(day) + std::chrono::hours(at.hour) + std::chrono::minutes(at.minute);
}

date::local_days local_day(const date::time_zone* zone, TimePoint t) {
  return date::floor<date::days>(to_local(zone, t));
}

bool cron_day_matches(const CronSpec& cron, date::year_month_day ymd, date::weekday wd) {
  if (!cron.months.test(static_cast<unsigned>(ymd.month()))) return false;
  bool day_ok = cron.days.test(static_cast<unsigned>(ymd.day()));
  bool weekday_ok = cron.weekdays.test(wd.c_encoding());
  if (cron.days_restricted && cron.weekdays_restricted) return day_ok || weekday_ok;
  return day_ok && weekday_ok;
}

/// The earliest cron slot of `day` after `after`, if any.
std::optional<TimePoint> cron_slot_on(const CronSpec& cron, const date::time_zone* zone,
                                      date::local_days day, TimePoint after) {
  std::optional<TimePoint> best;
  for (int h = 0; h < 24; ++h) {
    if (!cron.hours.test(static_cast<std::size_t>(h))) continue;
    for (int m = 0; m < 60; ++m) {
      if (!cron.minutes.test(static_cast<std::size_t>(m))) continue;
      TimePoint t = resolve_local(zone, at_time(day, {h, m}));
      if (t > after && (!best || t < *best)) best = t;
    }
  }
  return best;
}

// ------------------------------------------------------------------ slots per form

std::optional<TimePoint> interval_slot(const IntervalSpec& interval, const date::time_zone* zone,
                                       TimePoint after, TimePoint anchor) {
  if (interval.months == 0) {
    std::int64_t k = after < anchor ? 0 : (after - anchor) / interval.elapsed + 1;
    return anchor + k * interval.elapsed;
  }
  // Calendar months counted from the anchor, never from the previous slot: the
  // anchor's wall-clock time, its day clamped to each month's end (a day 31
  // anchor: Feb 28, then Mar 31 again).
  LocalTime local = to_local(zone, anchor);
  date::local_days day = date::floor<date::days>(local);
  Duration time_of_day = local - LocalTime(day);
  date::year_month_day ymd(day);
  date::year_month_day after_ymd(local_day(zone, after));
  int months_apart = (static_cast<int>(after_ymd.year()) - static_cast<int>(ymd.year())) * 12 +
                     (static_cast<int>(static_cast<unsigned>(after_ymd.month())) -
                      static_cast<int>(static_cast<unsigned>(ymd.month())));
  int k = std::max(0, (months_apart / interval.months) - 1);
  for (;; ++k) {
    date::year_month ym = date::year_month(ymd.year(), ymd.month()) + date::months(k * interval.months);
    date::day last = date::year_month_day_last(ym.year(), date::month_day_last(ym.month())).day();
    date::year_month_day target(ym.year(), ym.month(), std::min(ymd.day(), last));
    TimePoint t = resolve_local(zone, LocalTime(date::local_days(target)) + time_of_day);
    if (t > after) return t;
  }
}

bool weekday_allowed(const ast::DailyWhen& daily, date::weekday wd) {
  if (daily.days.empty()) return true;
  return std::any_of(daily.days.begin(), daily.days.end(),
                     [&](ast::Weekday d) { return static_cast<unsigned>(d) == wd.c_encoding(); });
}

std::optional<TimePoint> daily_slot(const ast::DailyWhen& daily, const date::time_zone* zone,
                                    TimePoint after) {
  date::local_days first = local_day(zone, after);
  for (int i = 0; i <= 8; ++i) {
    date::local_days day = first + date::days(i);
    if (!weekday_allowed(daily, date::weekday(day))) continue;
    TimePoint t = resolve_local(zone, at_time(day, daily.at));
    if (t > after) return t;
  }
  return std::nullopt;  // no allowed weekday: rejected by make_schedule_spec
}

/// The day a monthly schedule fires in `ym`, if that month has one.
std::optional<date::local_days> monthly_day(const ast::MonthlyWhen& monthly, date::year_month ym) {
  if (monthly.day_of_month) {
    date::year_month_day ymd = ym / date::day(static_cast<unsigned>(*monthly.day_of_month));
    if (!ymd.ok()) return std::nullopt;
    return date::local_days(ymd);
  }
  date::weekday wd(static_cast<unsigned>(*monthly.weekday));
  if (*monthly.nth == -1) return date::local_days(ym / date::weekday_last(wd));
  date::year_month_weekday ymw = ym / wd[static_cast<unsigned>(*monthly.nth)];
  if (!ymw.ok()) return std::nullopt;  // no 5th Friday this month
  return date::local_days(ymw);
}

std::optional<TimePoint> monthly_slot(const ast::MonthlyWhen& monthly, const date::time_zone* zone,
                                      TimePoint after) {
  date::year_month_day first(local_day(zone, after));
  date::year_month ym(first.year(), first.month());
  for (int i = 0; i < 13; ++i) {
    auto day = monthly_day(monthly, ym + date::months(i));
    if (!day) continue;
    TimePoint t = resolve_local(zone, at_time(*day, monthly.at));
    if (t > after) return t;
  }
  return std::nullopt;  // never: every day 1..31 occurs within 13 months
}

std::optional<TimePoint> hourly_slot(const ast::HourlyWhen& hourly, const date::time_zone* zone,
                                     TimePoint after) {
  // Step through real minutes: whatever the zone's offset, a local minute M
  // comes round within two hours.
  TimePoint t = std::chrono::floor<std::chrono::minutes>(after) + 1min;
  for (int i = 0; i < 24 * 60; ++i, t += 1min) {
    auto local = date::floor<std::chrono::minutes>(to_local(zone, t));
    auto minute = (local - date::floor<std::chrono::hours>(local)).count();
    if (minute == hourly.minute) return t;
  }
  return std::nullopt;
}

std::optional<TimePoint> cron_slot(const CronSpec& cron, const date::time_zone* zone, TimePoint after) {
  date::local_days first = local_day(zone, after);
  for (int i = 0; i < kMaxCronYears * 366; ++i) {
    date::local_days day = first + date::days(i);
    if (!cron_day_matches(cron, date::year_month_day(day), date::weekday(day))) continue;
    if (auto t = cron_slot_on(cron, zone, day, after)) return t;
  }
  return std::nullopt;
}

// ------------------------------------------------------------------ make_spec

Duration unit_length(ast::TimeUnit unit) {
  switch (unit) {
    case ast::TimeUnit::seconds: return 1s;
    case ast::TimeUnit::minutes: return 1min;
    case ast::TimeUnit::hours: return 1h;
    case ast::TimeUnit::days: return 24h;
    case ast::TimeUnit::weeks: return 7 * 24h;
    case ast::TimeUnit::months: return 0ms;
  }
  return 0ms;
}

/// Whether an ISO literal names its offset (Z, +01:00, -05:00); without one
/// it is a wall-clock time in the schedule's zone.
bool has_offset(std::string_view text) {
  auto t = text.find_first_of("Tt ");
  if (t == std::string_view::npos) return false;
  return text.find_first_of("Zz+-[", t) != std::string_view::npos;
}

TimePoint literal_in_zone(const ast::DateTimeLiteral& literal, const date::time_zone* zone) {
  if (has_offset(literal.text)) return literal.value;
  return resolve_local(zone, LocalTime(literal.value.time_since_epoch()));
}

void check_time_of_day(const ast::TimeOfDay& at) {
  if (at.hour < 0 || at.hour > 23 || at.minute < 0 || at.minute > 59) {
    std::string minute = (at.minute >= 0 && at.minute < 10 ? "0" : "") + std::to_string(at.minute);
    throw ScheduleError("time of day " + std::to_string(at.hour) + ":" + minute + " is out of range 00:00-23:59");
  }
}

struct WhenBuilder {
  const date::time_zone* zone;
  bool first_run_now;  // `first run now;`, which only a dynamic time takes

  ScheduleSpec::When operator()(const ast::IntervalWhen& w) const {
    if (w.count <= 0) throw ScheduleError("the interval must be at least 1, not " + std::to_string(w.count));
    if (w.unit == ast::TimeUnit::months) return IntervalSpec{0ms, static_cast<int>(w.count)};
    return IntervalSpec{w.count * unit_length(w.unit), 0};
  }
  ScheduleSpec::When operator()(const ast::DailyWhen& w) const {
    check_time_of_day(w.at);
    return w;
  }
  ScheduleSpec::When operator()(const ast::MonthlyWhen& w) const {
    check_time_of_day(w.at);
    if (w.day_of_month) {
      if (*w.day_of_month < 1 || *w.day_of_month > 31) {
        throw ScheduleError("day " + std::to_string(*w.day_of_month) + " is out of range 1-31");
      }
    } else if (!w.nth || !w.weekday || *w.nth == 0 || *w.nth < -1 || *w.nth > 5) {
      throw ScheduleError("a monthly schedule needs a day 1-31 or first..fifth/last WEEKDAY");
    }
    return w;
  }
  ScheduleSpec::When operator()(const ast::HourlyWhen& w) const {
    if (w.minute < 0 || w.minute > 59) {
      throw ScheduleError("minute " + std::to_string(w.minute) + " is out of range 0-59");
    }
    return w;
  }
  ScheduleSpec::When operator()(const ast::CronWhen& w) const { return parse_cron(w.expression); }
  ScheduleSpec::When operator()(const ast::OnceWhen& w) const { return OnceSpec{literal_in_zone(w.at, zone)}; }
  ScheduleSpec::When operator()(const ast::DynamicWhen&) const { return DynamicSpec{first_run_now}; }
};

/// The slots from `first` (not after now) up to now: the last of them, the
/// first one after now, and how many were passed.
struct Overrun {
  TimePoint last_due;
  std::optional<TimePoint> first_future;
  std::int64_t passed = 1;
};

Overrun walk_overrun(const ScheduleSpec& spec, TimePoint first, TimePoint now, std::optional<TimePoint> anchor) {
  constexpr std::int64_t kMaxWalk = 100000;  // then jump: the count is for a log line
  Overrun overrun{first, std::nullopt, 1};
  for (auto t = slot_after(spec, first, anchor);; t = slot_after(spec, *t, anchor)) {
    if (!t || *t > now) {
      overrun.first_future = t;
      return overrun;
    }
    overrun.last_due = *t;
    if (++overrun.passed > kMaxWalk) {
      overrun.first_future = slot_after(spec, now, anchor);
      return overrun;
    }
  }
}

/// Whether a persisted future slot can come from this schedule. Any valid one
/// was planned at some time p <= now with no slot between p and it, so it is
/// the first slot after now (on the anchor's grid, for intervals; a store from
/// before anchors: at most one interval away).
bool plausible_slot(const ScheduleSpec& spec, TimePoint slot, TimePoint now, std::optional<TimePoint> anchor) {
  if (slot <= now) return true;  // missed: on_missed decides
  if (std::holds_alternative<IntervalSpec>(spec.when)) {
    if (anchor) return slot_after(spec, now, anchor) == slot;
    auto bound = slot_after(spec, now, now);
    return bound && slot <= *bound;
  }
  return slot_after(spec, now) == slot;
}

NextSlot next_slot(std::optional<TimePoint> slot, std::int64_t skipped, std::optional<TimePoint> anchor) {
  NextSlot next;
  next.slot = slot;
  next.skipped = skipped;
  next.anchor = anchor;
  return next;
}

/// The grid anchor of an interval schedule: the persisted one; from a store
/// from before anchors, the persisted slot or else the last run. Other forms
/// have none.
std::optional<TimePoint> grid_anchor(const ScheduleSpec& spec, const TaskProgress& progress) {
  if (!std::holds_alternative<IntervalSpec>(spec.when)) return std::nullopt;
  if (progress.anchor) return progress.anchor;
  return progress.next_run ? progress.next_run : progress.last_run;
}

/// A slot and the grid it is on (intervals).
struct Resume {
  std::optional<TimePoint> slot;
  std::optional<TimePoint> anchor;
};

/// Where a task resumes at start-up, before expiry and on_missed: the
/// persisted slot; else the slot after the last run; else a first slot.
Resume resume_slot(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint now) {
  std::optional<TimePoint> anchor = grid_anchor(spec, progress);
  if (const auto* once = std::get_if<OnceSpec>(&spec.when)) {
    // Its time, unless it ran: a persisted slot of another time was an edit.
    return {progress.last_run ? slot_after(spec, *progress.last_run) : std::optional<TimePoint>(once->at), anchor};
  }
  const bool edited = progress.next_run && !plausible_slot(spec, *progress.next_run, now, progress.anchor);
  if (progress.next_run && !edited) return {progress.next_run, anchor};
  if (progress.last_run) {
    // Finished, expired, cleared by an admin, or planned by an edited schedule
    // (whose grid then starts at the last run).
    if (edited && anchor) anchor = progress.last_run;
    return {slot_after(spec, *progress.last_run, anchor), anchor};
  }
  // Never ran: an interval fires now and is anchored there, a wall-clock
  // schedule fires at its next slot (now included).
  if (std::holds_alternative<IntervalSpec>(spec.when)) return {now, now};
  return {slot_after(spec, now - 1ms), anchor};
}

NextSlot plan_dynamic_start(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint now,
                            std::optional<TimePoint> dynamic_at) {
  // `first run now`: the first run does what a refresh by hand would (on a
  // fresh instance it sets the fields the time is computed from).
  if (runs_first_now(spec, progress)) return next_slot(within_expiry(spec, now, progress.run_count), 0, std::nullopt);
  auto slot = dynamic_at ? std::optional<TimePoint>(std::max(*dynamic_at, now)) : std::nullopt;
  NextSlot next = next_slot(within_expiry(spec, slot, progress.run_count), 0, std::nullopt);
  if (dynamic_at && *dynamic_at < now) next.missed = dynamic_at;
  return next;
}

}  // namespace

// ---------------------------------------------------------------------- public

CronSpec parse_cron(std::string_view expression) {
  static constexpr CronField kFields[] = {
      {"minute", 0, 59, nullptr, ""},
      {"hour", 0, 23, nullptr, ""},
      {"day of month", 1, 31, nullptr, ""},
      {"month", 1, 12, &kMonthNames, "a month name (jan..dec, january..december)"},
      {"day of week", 0, 7, &kWeekdayNames, "a day name (sun..sat, sunday..saturday)"},
  };
  auto words = split_spaces(expand_macro(expression));
  if (words.size() != 5) {
    cron_fail(expression, "expected 5 fields (minute hour day-of-month month day-of-week), found " +
                              std::to_string(words.size()));
  }
  CronSpec cron;
  parse_cron_field(expression, kFields[0], words[0], cron.minutes, false);
  parse_cron_field(expression, kFields[1], words[1], cron.hours, false);
  cron.days_restricted = parse_cron_field(expression, kFields[2], words[2], cron.days, false);
  parse_cron_field(expression, kFields[3], words[3], cron.months, false);
  cron.weekdays_restricted = parse_cron_field(expression, kFields[4], words[4], cron.weekdays, true);
  // "0 0 30 2 *" is well-formed but never fires: say so now rather than never.
  if (!cron_slot(cron, date::locate_zone("UTC"), TimePoint{})) {
    cron_fail(expression, "never matches a real date");
  }
  return cron;
}

TimePoint resolve_local(const date::time_zone* zone, date::local_time<Duration> local) {
  // In all three cases the offset in force *before* the instant is the one to
  // subtract: unique -> the only offset; ambiguous -> the first occurrence;
  // nonexistent -> the pre-gap offset, which shifts the time forward by the gap.
  date::local_info info = zone->get_info(local);
  return TimePoint((local - info.first.offset).time_since_epoch());
}

ScheduleSpec make_schedule_spec(const ast::ScheduleDecl& decl) {
  if (!decl.when) throw ScheduleError("the schedule says nothing about when it runs (every, cron, once or at)");
  ScheduleSpec spec;
  std::string zone_name = decl.timezone.value_or("UTC");
  try {
    spec.zone = date::locate_zone(zone_name);
  } catch (const std::exception&) {
    throw ScheduleError("unknown time zone \"" + zone_name + "\"");
  }
  spec.when = std::visit(WhenBuilder{spec.zone, decl.first_run_now}, decl.when->node);
  if (decl.first_run_now && !std::holds_alternative<DynamicSpec>(spec.when))
    throw ScheduleError(kFirstRunNowOnlyAt);
  if (const auto* daily = std::get_if<ast::DailyWhen>(&spec.when)) {
    for (auto d : daily->days) {
      if (static_cast<int>(d) < 0 || static_cast<int>(d) > 6) throw ScheduleError("bad weekday");
    }
  }
  if (decl.expires) {
    if (decl.expires->at) spec.expires_at = literal_in_zone(*decl.expires->at, spec.zone);
    spec.expires_after_runs = decl.expires->after_runs;
  }
  spec.on_overlap = decl.on_overlap;
  spec.on_missed = decl.on_missed;
  if (decl.retry) {
    const auto backoff = decl.retry->backoff ? decl.retry->backoff->value : 0ms;
    if (decl.retry->times < 0 || backoff < 0ms) throw ScheduleError("retry needs counts >= 0");
    spec.retry_times = decl.retry->times;
    spec.retry_backoff = backoff;
  }
  if (decl.jitter) {
    if (*decl.jitter < 0ms) throw ScheduleError("jitter cannot be negative");
    spec.jitter = *decl.jitter;
  }
  return spec;
}

std::optional<TimePoint> slot_after(const ScheduleSpec& spec, TimePoint after, std::optional<TimePoint> anchor) {
  struct Visitor {
    const ScheduleSpec& spec;
    TimePoint after;
    TimePoint anchor;
    std::optional<TimePoint> operator()(const IntervalSpec& w) const { return interval_slot(w, spec.zone, after, anchor); }
    std::optional<TimePoint> operator()(const ast::DailyWhen& w) const { return daily_slot(w, spec.zone, after); }
    std::optional<TimePoint> operator()(const ast::MonthlyWhen& w) const { return monthly_slot(w, spec.zone, after); }
    std::optional<TimePoint> operator()(const ast::HourlyWhen& w) const { return hourly_slot(w, spec.zone, after); }
    std::optional<TimePoint> operator()(const CronSpec& w) const { return cron_slot(w, spec.zone, after); }
    std::optional<TimePoint> operator()(const OnceSpec& w) const {
      return w.at > after ? std::optional<TimePoint>(w.at) : std::nullopt;
    }
    std::optional<TimePoint> operator()(const DynamicSpec&) const { return std::nullopt; }
  };
  return std::visit(Visitor{spec, after, anchor.value_or(after)}, spec.when);
}

std::optional<TimePoint> within_expiry(const ScheduleSpec& spec, std::optional<TimePoint> slot,
                                       std::int64_t run_count) {
  if (!slot) return std::nullopt;
  if (spec.expires_after_runs && run_count >= *spec.expires_after_runs) return std::nullopt;
  if (spec.expires_at && *slot >= *spec.expires_at) return std::nullopt;
  return slot;
}

bool runs_first_now(const ScheduleSpec& spec, const TaskProgress& progress) {
  const auto* dynamic = std::get_if<DynamicSpec>(&spec.when);
  return dynamic && dynamic->first_run_now && progress.run_count == 0 && !progress.last_run;
}

NextSlot plan_start(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint now,
                    std::optional<TimePoint> dynamic_at) {
  if (std::holds_alternative<DynamicSpec>(spec.when)) return plan_dynamic_start(spec, progress, now, dynamic_at);
  auto [slot, anchor] = resume_slot(spec, progress, now);
  slot = within_expiry(spec, slot, progress.run_count);
  if (!slot || *slot >= now) return next_slot(slot, 0, anchor);
  if (std::holds_alternative<OnceSpec>(spec.when) && slot != progress.next_run) {
    // Past before any daemon planned it: not missed, written too late.
    NextSlot too_late;
    too_late.once_already_past = true;
    return too_late;
  }
  NextSlot next;
  if (spec.on_missed == ast::MissedPolicy::run_once) {
    // An elapsed interval starts a new grid at the catch-up run; months keep their dates.
    const auto* interval = std::get_if<IntervalSpec>(&spec.when);
    next = next_slot(now, 0, interval && interval->months == 0 ? std::optional<TimePoint>(now) : anchor);
  } else {
    Overrun overrun = walk_overrun(spec, *slot, now, anchor);
    next = next_slot(within_expiry(spec, overrun.first_future, progress.run_count), overrun.passed, anchor);
  }
  next.missed = slot;
  return next;
}

NextSlot plan_after_run(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint now,
                        std::optional<TimePoint> dynamic_at) {
  if (std::holds_alternative<DynamicSpec>(spec.when)) {
    if (!dynamic_at) return {};
    const TimePoint soonest = now + spec.dynamic_min_gap;
    const auto slot = within_expiry(spec, std::max(*dynamic_at, soonest), progress.run_count);
    return next_slot(slot, 0, slot && *dynamic_at < soonest ? dynamic_at : std::nullopt);
  }
  if (!progress.next_run) return {};  // no slot ran (an invariant of the scheduler)
  const auto anchor = grid_anchor(spec, progress);
  auto next = slot_after(spec, *progress.next_run, anchor);
  if (!next || *next > now) return next_slot(within_expiry(spec, next, progress.run_count), 0, anchor);
  // The run overran `next` (and maybe more).
  Overrun overrun = walk_overrun(spec, *next, now, anchor);
  if (spec.on_overlap == ast::OverlapPolicy::queue) {
    return next_slot(within_expiry(spec, overrun.last_due, progress.run_count), 0, anchor);
  }
  return next_slot(within_expiry(spec, overrun.first_future, progress.run_count), overrun.passed, anchor);
}

TimePoint apply_jitter(TimePoint slot, Duration jitter, const JitterSource& source) {
  if (jitter <= 0ms || !source) return slot;
  auto range = static_cast<std::uint64_t>(jitter.count()) + 1;
  return slot + Duration(static_cast<Duration::rep>(source() % range));
}

Duration retry_delay(const ScheduleSpec& spec, int attempt) {
  int shift = std::clamp(attempt - 1, 0, 20);
  return spec.retry_backoff * (std::int64_t{1} << shift);
}

}  // namespace flow
