#include "engine/schedule.hpp"

#include <catch2/catch.hpp>

#include <date/date.h>

#include <functional>

#include "support/what_of.hpp"

using namespace std::chrono_literals;
using flow::TimePoint;
using flow::ast::Weekday;
namespace ast = flow::ast;

namespace {

TimePoint utc(int y, unsigned m, unsigned d, int h = 0, int mi = 0) {
  return TimePoint(date::sys_days(date::year(y) / m / d)) + std::chrono::hours(h) + std::chrono::minutes(mi);
}

std::string iso(std::optional<TimePoint> t) { return t ? flow::format_iso(*t) : "none"; }

ast::ScheduleDecl decl_of(ast::ScheduleWhen when, std::optional<std::string> zone = std::nullopt) {
  ast::ScheduleDecl decl;
  decl.name = "test";
  decl.when = std::move(when);
  decl.timezone = std::move(zone);
  return decl;
}

template <typename When>
flow::ScheduleSpec spec_of(When when, std::optional<std::string> zone = std::nullopt) {
  ast::ScheduleWhen w;
  w.node = std::move(when);
  return flow::make_schedule_spec(decl_of(std::move(w), std::move(zone)));
}

flow::ScheduleSpec cron(const std::string& expression, std::optional<std::string> zone = std::nullopt) {
  return spec_of(ast::CronWhen{expression, {}}, std::move(zone));
}

ast::DateTimeLiteral literal(TimePoint value, std::string text) {
  ast::DateTimeLiteral lit;
  lit.value = value;
  lit.text = std::move(text);
  return lit;
}

std::string schedule_error(const std::function<void()>& action) {
  return flow::testing::what_of<flow::ScheduleError>(action, "(no ScheduleError)");
}

/// The next `n` slots after `after`; intervals on the grid of the first.
std::vector<std::string> slots(const flow::ScheduleSpec& spec, TimePoint after, int n) {
  std::vector<std::string> result;
  std::optional<TimePoint> anchor;
  for (int i = 0; i < n; ++i) {
    auto t = flow::slot_after(spec, after, anchor);
    result.push_back(iso(t));
    if (!t) break;
    after = *t;
    if (!anchor) anchor = t;
  }
  return result;
}

/// A task's state right after the run of `slot`, its run number `run_count`.
flow::TaskProgress ran(TimePoint slot, std::int64_t run_count, std::optional<TimePoint> anchor = std::nullopt) {
  return {std::nullopt, slot, run_count, anchor};
}

/// The slots a daemon that never stops runs, from its first start at `start`
/// (each run taking no time): what plan_start and plan_after_run plan.
std::vector<std::string> daemon_slots(const flow::ScheduleSpec& spec, TimePoint start, int n) {
  std::vector<std::string> result;
  flow::NextSlot next = flow::plan_start(spec, {}, start);
  for (std::int64_t runs = 1; next.slot && static_cast<int>(result.size()) < n; ++runs) {
    result.push_back(iso(next.slot));
    next = flow::plan_after_run(spec, ran(*next.slot, runs, next.anchor), *next.slot);
  }
  return result;
}

}  // namespace

// ---------------------------------------------------------------- intervals

TEST_CASE("schedule: every 55 minutes steps from the previous slot", "[schedule]") {
  auto spec = spec_of(ast::IntervalWhen{55, ast::TimeUnit::minutes});
  auto t0 = utc(2026, 11, 28, 9, 0);
  CHECK(flow::slot_after(spec, t0, t0) == t0 + 55min);
  // Late by 3 minutes (a slow run): still on the grid.
  CHECK(flow::slot_after(spec, t0 + 58min, t0 + 55min) == t0 + 110min);
  // Down for hours: the first grid slot after now.
  CHECK(flow::slot_after(spec, t0 + 5h, t0) == t0 + 330min);
  // A task that never ran fires at once.
  auto start = flow::plan_start(spec, {}, t0);
  CHECK(start.slot == t0);
  CHECK_FALSE(start.missed);
}

TEST_CASE("schedule: day intervals count elapsed time across DST", "[schedule]") {
  auto spec = spec_of(ast::IntervalWhen{1, ast::TimeUnit::days}, "Europe/Dublin");
  auto before = utc(2026, 3, 28, 12, 0);  // 12:00 GMT
  CHECK(iso(flow::slot_after(spec, before, before)) == "2026-03-29T12:00:00Z");  // 13:00 IST
  auto weeks = spec_of(ast::IntervalWhen{2, ast::TimeUnit::weeks});
  CHECK(flow::slot_after(weeks, before, before) == before + 14 * 24h);
  auto seconds = spec_of(ast::IntervalWhen{30, ast::TimeUnit::seconds});
  CHECK(flow::slot_after(seconds, before, before) == before + 30s);
}

TEST_CASE("schedule: day and week intervals in a zone stay on their elapsed grid through both DST changes",
          "[schedule]") {
  // Every 7 * 24 hours from Monday 09:00 GMT: 10:00 IST in summer, 09:00 GMT
  // again after October, never a drift.
  auto weekly = spec_of(ast::IntervalWhen{1, ast::TimeUnit::weeks}, "Europe/Dublin");
  auto slots = daemon_slots(weekly, utc(2026, 3, 23, 9, 0), 33);
  CHECK(slots[0] == "2026-03-23T09:00:00Z");
  CHECK(slots[1] == "2026-03-30T09:00:00Z");
  CHECK(slots[32] == "2026-11-02T09:00:00Z");
  auto every_3_days = spec_of(ast::IntervalWhen{3, ast::TimeUnit::days}, "America/New_York");
  auto start = utc(2026, 3, 6, 17, 0);  // 12:00 EST, two days before the change
  CHECK(daemon_slots(every_3_days, start, 3) ==
        std::vector<std::string>{"2026-03-06T17:00:00Z", "2026-03-09T17:00:00Z", "2026-03-12T17:00:00Z"});
  // A restart between runs resumes on the grid.
  auto resumed = flow::plan_start(every_3_days, {start + 72h, start + 144h, 2, start}, start + 100h);
  CHECK(resumed.slot == start + 144h);
  CHECK(resumed.anchor == start);
}

TEST_CASE("schedule: month intervals keep the wall-clock time and clamp the day", "[schedule]") {
  auto spec = spec_of(ast::IntervalWhen{1, ast::TimeUnit::months}, "Europe/Dublin");
  auto jan31 = utc(2027, 1, 31, 9, 0);  // 09:00 GMT
  CHECK(iso(flow::slot_after(spec, jan31, jan31)) == "2027-02-28T09:00:00Z");
  auto leap = utc(2028, 1, 31, 9, 0);
  CHECK(iso(flow::slot_after(spec, leap, leap)) == "2028-02-29T09:00:00Z");
  // 09:00 Dublin is 08:00 UTC in summer.
  auto mar15 = utc(2027, 3, 15, 9, 0);
  CHECK(iso(flow::slot_after(spec, mar15, mar15)) == "2027-04-15T08:00:00Z");
  // Long downtime: the first month step after now.
  CHECK(iso(flow::slot_after(spec, utc(2027, 9, 20), mar15)) == "2027-10-15T08:00:00Z");
  auto quarterly = spec_of(ast::IntervalWhen{3, ast::TimeUnit::months});
  CHECK(iso(flow::slot_after(quarterly, jan31, jan31)) == "2027-04-30T09:00:00Z");
}

TEST_CASE("schedule: month intervals count from the anchor, so a clamped day does not stick", "[schedule]") {
  auto monthly = spec_of(ast::IntervalWhen{1, ast::TimeUnit::months});
  CHECK(daemon_slots(monthly, utc(2026, 1, 31, 9, 0), 5) ==
        std::vector<std::string>{"2026-01-31T09:00:00Z", "2026-02-28T09:00:00Z", "2026-03-31T09:00:00Z",
                                 "2026-04-30T09:00:00Z", "2026-05-31T09:00:00Z"});
  auto bimonthly = spec_of(ast::IntervalWhen{2, ast::TimeUnit::months});
  CHECK(daemon_slots(bimonthly, utc(2026, 12, 31), 4) ==
        std::vector<std::string>{"2026-12-31T00:00:00Z", "2027-02-28T00:00:00Z", "2027-04-30T00:00:00Z",
                                 "2027-06-30T00:00:00Z"});
  // In Dublin, from 01:30 on the 29th: February clamps to the 28th, March's
  // 01:30 falls in the spring-forward gap (02:30 IST), April is 01:30 IST again.
  auto dublin = spec_of(ast::IntervalWhen{1, ast::TimeUnit::months}, "Europe/Dublin");
  CHECK(daemon_slots(dublin, utc(2026, 1, 29, 1, 30), 4) ==
        std::vector<std::string>{"2026-01-29T01:30:00Z", "2026-02-28T01:30:00Z", "2026-03-29T01:30:00Z",
                                 "2026-04-29T00:30:00Z"});
  // Runs that overran keep the grid too.
  auto overran = flow::plan_after_run(monthly, ran(utc(2026, 1, 31, 9, 0), 1, utc(2026, 1, 31, 9, 0)),
                                      utc(2026, 3, 2));
  CHECK(iso(overran.slot) == "2026-03-31T09:00:00Z");
  CHECK(overran.skipped == 1);
}

TEST_CASE("schedule: a month interval keeps its anchor across restarts and missed slots", "[schedule]") {
  auto monthly = spec_of(ast::IntervalWhen{1, ast::TimeUnit::months});
  const auto jan31 = utc(2026, 1, 31, 9, 0);
  const auto feb28 = utc(2026, 2, 28, 9, 0);
  // Restarted before the persisted slot: kept.
  auto resumed = flow::plan_start(monthly, {jan31, feb28, 1, jan31}, utc(2026, 2, 10));
  CHECK(resumed.slot == feb28);
  CHECK(resumed.anchor == jan31);
  // Down over March 31: run_once runs now, and the next slot is back on day 31's grid.
  const auto apr2 = utc(2026, 4, 2);
  const flow::TaskProgress down{feb28, utc(2026, 3, 31, 9, 0), 2, jan31};
  auto caught_up = flow::plan_start(monthly, down, apr2);
  CHECK(caught_up.slot == apr2);
  CHECK(iso(caught_up.missed) == "2026-03-31T09:00:00Z");
  CHECK(caught_up.anchor == jan31);
  CHECK(iso(flow::plan_after_run(monthly, {apr2, apr2, 3, jan31}, apr2).slot) == "2026-04-30T09:00:00Z");
  monthly.on_missed = ast::MissedPolicy::skip;
  auto skipped = flow::plan_start(monthly, down, apr2);
  CHECK(iso(skipped.slot) == "2026-04-30T09:00:00Z");
  CHECK(skipped.skipped == 1);
  // A store from before anchors: the persisted slot is the best anchor there is.
  CHECK(flow::plan_start(monthly, {jan31, feb28, 1, std::nullopt}, utc(2026, 2, 10)).anchor == feb28);
  // Edited to every 2 months: the persisted April 30 is not on the new grid;
  // the grid starts again at the last run.
  auto every_2 = spec_of(ast::IntervalWhen{2, ast::TimeUnit::months});
  const auto mar31 = utc(2026, 3, 31, 9, 0);
  auto edited = flow::plan_start(every_2, {mar31, utc(2026, 4, 30, 9, 0), 3, jan31}, utc(2026, 4, 10));
  CHECK(iso(edited.slot) == "2026-05-31T09:00:00Z");
  CHECK(edited.anchor == mar31);
}

// ---------------------------------------------------------------- daily and weekly

TEST_CASE("schedule: every day at 06:30 follows Dublin's DST", "[schedule]") {
  auto spec = spec_of(ast::DailyWhen{{}, {6, 30}}, "Europe/Dublin");
  CHECK(slots(spec, utc(2026, 3, 27, 12, 0), 3) ==
        std::vector<std::string>{"2026-03-28T06:30:00Z", "2026-03-29T05:30:00Z", "2026-03-30T05:30:00Z"});
  CHECK(slots(spec, utc(2026, 10, 24, 12, 0), 2) ==
        std::vector<std::string>{"2026-10-25T06:30:00Z", "2026-10-26T06:30:00Z"});
  // Exactly at a slot: the next one.
  CHECK(iso(flow::slot_after(spec, utc(2026, 12, 1, 6, 30))) == "2026-12-02T06:30:00Z");
}

TEST_CASE("schedule: a nonexistent local time shifts forward by the gap", "[schedule]") {
  // 2026-03-29: Dublin jumps from 01:00 GMT to 02:00 IST; 01:30 does not exist.
  auto spec = spec_of(ast::DailyWhen{{}, {1, 30}}, "Europe/Dublin");
  CHECK(slots(spec, utc(2026, 3, 28, 12, 0), 2) ==
        std::vector<std::string>{"2026-03-29T01:30:00Z",    // 02:30 IST
                                 "2026-03-30T00:30:00Z"});  // 01:30 IST
}

TEST_CASE("schedule: an ambiguous local time takes its first occurrence", "[schedule]") {
  // 2026-10-25: Dublin goes back from 02:00 IST to 01:00 GMT; 01:30 happens twice.
  auto spec = spec_of(ast::DailyWhen{{}, {1, 30}}, "Europe/Dublin");
  CHECK(slots(spec, utc(2026, 10, 24, 12, 0), 2) ==
        std::vector<std::string>{"2026-10-25T00:30:00Z",    // 01:30 IST, not 01:30 GMT
                                 "2026-10-26T01:30:00Z"});  // 01:30 GMT
}

TEST_CASE("schedule: weekdays and named days", "[schedule]") {
  auto weekday = spec_of(
      ast::DailyWhen{{Weekday::monday, Weekday::tuesday, Weekday::wednesday, Weekday::thursday, Weekday::friday},
                     {8, 0}});
  // Friday 2026-11-27 09:00 -> Monday 2026-11-30 08:00.
  CHECK(slots(weekday, utc(2026, 11, 27, 9, 0), 2) ==
        std::vector<std::string>{"2026-11-30T08:00:00Z", "2026-12-01T08:00:00Z"});
  auto mon_fri = spec_of(ast::DailyWhen{{Weekday::monday, Weekday::friday}, {9, 15}});
  CHECK(slots(mon_fri, utc(2026, 11, 28), 3) ==
        std::vector<std::string>{"2026-11-30T09:15:00Z", "2026-12-04T09:15:00Z", "2026-12-07T09:15:00Z"});
}

// ---------------------------------------------------------------- monthly

TEST_CASE("schedule: every month on day N skips months without that day", "[schedule]") {
  ast::MonthlyWhen day31;
  day31.day_of_month = 31;
  day31.at = {0, 0};
  CHECK(slots(spec_of(day31), utc(2026, 3, 31, 12, 0), 3) ==
        std::vector<std::string>{"2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z"});
  ast::MonthlyWhen day29;
  day29.day_of_month = 29;
  day29.at = {12, 0};
  CHECK(iso(flow::slot_after(spec_of(day29), utc(2027, 2, 1))) == "2027-03-29T12:00:00Z");
  CHECK(iso(flow::slot_after(spec_of(day29), utc(2028, 2, 1))) == "2028-02-29T12:00:00Z");
  ast::MonthlyWhen first;
  first.day_of_month = 1;
  first.at = {0, 0};
  // Midnight in Dublin is 23:00 UTC the day before in summer.
  CHECK(iso(flow::slot_after(spec_of(first, "Europe/Dublin"), utc(2026, 5, 15))) == "2026-05-31T23:00:00Z");
}

TEST_CASE("schedule: every month on the nth or last weekday", "[schedule]") {
  ast::MonthlyWhen last_friday;
  last_friday.nth = -1;
  last_friday.weekday = Weekday::friday;
  last_friday.at = {17, 0};
  CHECK(slots(spec_of(last_friday), utc(2026, 11, 1), 2) ==
        std::vector<std::string>{"2026-11-27T17:00:00Z", "2026-12-25T17:00:00Z"});
  ast::MonthlyWhen first_monday;
  first_monday.nth = 1;
  first_monday.weekday = Weekday::monday;
  first_monday.at = {9, 0};
  CHECK(iso(flow::slot_after(spec_of(first_monday), utc(2026, 11, 28))) == "2026-12-07T09:00:00Z");
  ast::MonthlyWhen fifth_friday;
  fifth_friday.nth = 5;
  fifth_friday.weekday = Weekday::friday;
  fifth_friday.at = {9, 0};
  // 2026 months with five Fridays: Jan, May, Jul, Oct.
  CHECK(slots(spec_of(fifth_friday), utc(2026, 2, 1), 3) ==
        std::vector<std::string>{"2026-05-29T09:00:00Z", "2026-07-31T09:00:00Z", "2026-10-30T09:00:00Z"});
}

// ---------------------------------------------------------------- hourly

TEST_CASE("schedule: every hour at minute M", "[schedule]") {
  auto spec = spec_of(ast::HourlyWhen{5});
  CHECK(slots(spec, utc(2026, 11, 28, 10, 7), 2) ==
        std::vector<std::string>{"2026-11-28T11:05:00Z", "2026-11-28T12:05:00Z"});
  CHECK(iso(flow::slot_after(spec, utc(2026, 11, 28, 10, 4))) == "2026-11-28T10:05:00Z");
  // Minute 5 in India (UTC+05:30) is minute 35 in UTC.
  CHECK(iso(flow::slot_after(spec_of(ast::HourlyWhen{5}, "Asia/Kolkata"), utc(2026, 11, 28, 10, 0))) ==
        "2026-11-28T10:35:00Z");
  // Dublin's repeated hour runs twice: elapsed hours.
  CHECK(slots(spec_of(ast::HourlyWhen{5}, "Europe/Dublin"), utc(2026, 10, 24, 23, 30), 3) ==
        std::vector<std::string>{"2026-10-25T00:05:00Z", "2026-10-25T01:05:00Z", "2026-10-25T02:05:00Z"});
}

// ---------------------------------------------------------------- cron

TEST_CASE("schedule: cron steps, ranges, lists and names", "[schedule][cron]") {
  CHECK(slots(cron("*/15 * * * *"), utc(2026, 11, 28, 10, 7), 3) ==
        std::vector<std::string>{"2026-11-28T10:15:00Z", "2026-11-28T10:30:00Z", "2026-11-28T10:45:00Z"});
  // Weekdays at 09:00: Friday 27th, then Monday 30th.
  CHECK(slots(cron("0 9 * * 1-5"), utc(2026, 11, 27, 8, 0), 2) ==
        std::vector<std::string>{"2026-11-27T09:00:00Z", "2026-11-30T09:00:00Z"});
  CHECK(slots(cron("0 12 * JAN,jul mon"), utc(2026, 6, 1), 2) ==
        std::vector<std::string>{"2026-07-06T12:00:00Z", "2026-07-13T12:00:00Z"});
  CHECK(slots(cron("0 0 * * 7"), utc(2026, 11, 28), 1) == std::vector<std::string>{"2026-11-29T00:00:00Z"});
  // Full names too, in any case.
  CHECK(slots(cron("0 0 * * sunday"), utc(2026, 11, 28), 1) == std::vector<std::string>{"2026-11-29T00:00:00Z"});
  CHECK(slots(cron("0 12 * January,JULY Monday-Tuesday"), utc(2026, 6, 1), 3) ==
        std::vector<std::string>{"2026-07-06T12:00:00Z", "2026-07-07T12:00:00Z", "2026-07-13T12:00:00Z"});
  CHECK(slots(cron("10-20/5 3 * * *"), utc(2026, 11, 28), 4) ==
        std::vector<std::string>{"2026-11-28T03:10:00Z", "2026-11-28T03:15:00Z", "2026-11-28T03:20:00Z",
                                 "2026-11-29T03:10:00Z"});
  CHECK(slots(cron("50/5 * * * *"), utc(2026, 11, 28), 3) ==
        std::vector<std::string>{"2026-11-28T00:50:00Z", "2026-11-28T00:55:00Z", "2026-11-28T01:50:00Z"});
  CHECK(slots(cron("@daily"), utc(2026, 11, 28, 1), 1) == std::vector<std::string>{"2026-11-29T00:00:00Z"});
}

TEST_CASE("schedule: cron day-of-month and day-of-week OR rule", "[schedule][cron]") {
  // Both restricted: the 13th OR any Friday.
  CHECK(slots(cron("0 0 13 * 5"), utc(2026, 12, 1), 4) ==
        std::vector<std::string>{"2026-12-04T00:00:00Z", "2026-12-11T00:00:00Z", "2026-12-13T00:00:00Z",
                                 "2026-12-18T00:00:00Z"});
  // A field starting with '*' is unrestricted: odd days AND Fridays.
  CHECK(slots(cron("0 0 */2 * 5"), utc(2026, 12, 1), 2) ==
        std::vector<std::string>{"2026-12-11T00:00:00Z", "2026-12-25T00:00:00Z"});
}

TEST_CASE("schedule: cron leap days, month ends and DST", "[schedule][cron]") {
  CHECK(iso(flow::slot_after(cron("0 0 29 2 *"), utc(2026, 3, 1))) == "2028-02-29T00:00:00Z");
  CHECK(iso(flow::slot_after(cron("0 0 29 2 *"), utc(2096, 3, 1))) == "2104-02-29T00:00:00Z");
  CHECK(slots(cron("0 0 31 * *"), utc(2026, 4, 1), 2) ==
        std::vector<std::string>{"2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z"});
  CHECK(slots(cron("30 1 * * *", "Europe/Dublin"), utc(2026, 3, 28, 12), 2) ==
        std::vector<std::string>{"2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"});
  CHECK(slots(cron("30 1 * * *", "Europe/Dublin"), utc(2026, 10, 24, 12), 2) ==
        std::vector<std::string>{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"});
}

TEST_CASE("schedule: cron errors say what is wrong", "[schedule][cron]") {
  CHECK(schedule_error([] { flow::parse_cron("*/5 * * *"); }) ==
        "cron \"*/5 * * *\": expected 5 fields (minute hour day-of-month month day-of-week), found 4");
  CHECK(schedule_error([] { flow::parse_cron("60 * * * *"); }) ==
        "cron \"60 * * * *\": minute: 60 is out of range 0-59");
  CHECK(schedule_error([] { flow::parse_cron("0 0 0 * *"); }) ==
        "cron \"0 0 0 * *\": day of month: 0 is out of range 1-31");
  CHECK(schedule_error([] { flow::parse_cron("*/0 * * * *"); }) == "cron \"*/0 * * * *\": minute: bad step \"0\"");
  CHECK(schedule_error([] { flow::parse_cron("0 20-10 * * *"); }) ==
        "cron \"0 20-10 * * *\": hour: range 20-10 is backwards");
  CHECK(schedule_error([] { flow::parse_cron("0 0 * foo *"); }) ==
        "cron \"0 0 * foo *\": month: \"foo\" is not a number 1-12 or a month name (jan..dec, january..december)");
  CHECK(schedule_error([] { flow::parse_cron("0 0 * * sundy"); }) ==
        "cron \"0 0 * * sundy\": day of week: \"sundy\" is not a number 0-7 or a day name (sun..sat, sunday..saturday)");
  CHECK(schedule_error([] { flow::parse_cron("0 0 * * su"); }) ==
        "cron \"0 0 * * su\": day of week: \"su\" is not a number 0-7 or a day name (sun..sat, sunday..saturday)");
  CHECK(schedule_error([] { flow::parse_cron("x 0 * * *"); }) == "cron \"x 0 * * *\": minute: \"x\" is not a number");
  CHECK(schedule_error([] { flow::parse_cron("0,,5 * * * *"); }) == "cron \"0,,5 * * * *\": minute: empty list item");
  CHECK(schedule_error([] { flow::parse_cron("0 0 30 2 *"); }) == "cron \"0 0 30 2 *\": never matches a real date");
}

// ---------------------------------------------------------------- once, expiry

TEST_CASE("schedule: once at a time", "[schedule]") {
  auto at = utc(2027, 1, 1, 9, 0);
  auto spec = spec_of(ast::OnceWhen{literal(at, "2027-01-01T09:00:00Z")});
  CHECK(flow::slot_after(spec, utc(2026, 12, 31)) == at);
  CHECK_FALSE(flow::slot_after(spec, at));
  // Without an offset the time is read in the schedule's zone: 09:00 IST is 08:00 UTC.
  auto local = spec_of(ast::OnceWhen{literal(utc(2027, 7, 1, 9, 0), "2027-07-01T09:00")}, "Europe/Dublin");
  CHECK(iso(flow::slot_after(local, utc(2027, 1, 1))) == "2027-07-01T08:00:00Z");
  // Already past when first planned (a fresh store): nothing was missed, it
  // never runs, whatever on_missed says.
  auto now = utc(2027, 2, 1);
  auto too_late = flow::plan_start(spec, {}, now);
  CHECK_FALSE(too_late.slot);
  CHECK_FALSE(too_late.missed);
  CHECK(too_late.once_already_past);
  // Planned (persisted) and then passed while the daemon was down: missed;
  // run_once runs it now, skip drops it.
  auto missed = flow::plan_start(spec, {std::nullopt, at, 0}, now);
  CHECK(missed.slot == now);
  CHECK(missed.missed == at);
  CHECK_FALSE(missed.once_already_past);
  spec.on_missed = ast::MissedPolicy::skip;
  CHECK_FALSE(flow::plan_start(spec, {std::nullopt, at, 0}, now).slot);
  CHECK(flow::plan_start(spec, {}, now).once_already_past);
  // After its run: nothing more, also after a restart.
  CHECK_FALSE(flow::plan_after_run(spec, ran(at, 1), at + 1s).slot);
  auto done = flow::plan_start(spec, {at, std::nullopt, 1}, now);
  CHECK_FALSE(done.slot);
  CHECK_FALSE(done.once_already_past);
}

TEST_CASE("schedule: expiry by time and by run count", "[schedule]") {
  ast::ScheduleWhen when;
  when.node = ast::IntervalWhen{55, ast::TimeUnit::minutes};
  auto decl = decl_of(std::move(when));
  decl.expires = ast::Expiry{};
  auto t0 = utc(2027, 6, 29, 22, 0);
  decl.expires->at = literal(utc(2027, 6, 30), "2027-06-30");
  auto by_time = flow::make_schedule_spec(decl);
  CHECK(flow::plan_after_run(by_time, ran(t0, 1), t0 + 1s).slot == t0 + 55min);
  CHECK(flow::plan_after_run(by_time, ran(t0 + 55min, 2), t0 + 56min).slot == t0 + 110min);  // 23:50
  CHECK_FALSE(flow::plan_after_run(by_time, ran(t0 + 110min, 3), t0 + 111min).slot);       // 00:45 is too late
  CHECK_FALSE(flow::plan_start(by_time, {}, utc(2027, 7, 1)).slot);

  decl.expires->at.reset();
  decl.expires->after_runs = 2;
  auto by_count = flow::make_schedule_spec(decl);
  CHECK(flow::plan_after_run(by_count, ran(t0, 1), t0 + 1s).slot == t0 + 55min);
  CHECK_FALSE(flow::plan_after_run(by_count, ran(t0 + 55min, 2), t0 + 56min).slot);
  CHECK_FALSE(flow::plan_start(by_count, {t0, t0 + 110min, 2}, t0).slot);

  // A date-only expiry in a zone is local midnight.
  decl.timezone = "Europe/Dublin";
  decl.expires->after_runs.reset();
  decl.expires->at = literal(utc(2027, 6, 30), "2027-06-30");
  CHECK(iso(flow::make_schedule_spec(decl).expires_at) == "2027-06-29T23:00:00Z");
}

// ---------------------------------------------------------------- start-up and overlap

TEST_CASE("schedule: plan_start resumes the persisted slot or handles a missed one", "[schedule]") {
  auto spec = spec_of(ast::IntervalWhen{55, ast::TimeUnit::minutes});
  auto t0 = utc(2026, 11, 28, 9, 0);
  flow::TaskProgress progress{t0, t0 + 55min, 3};
  CHECK(flow::plan_start(spec, progress, t0 + 10min).slot == t0 + 55min);  // still ahead

  auto run_once = flow::plan_start(spec, progress, t0 + 3h);
  CHECK(run_once.slot == t0 + 3h);
  CHECK(run_once.missed);
  CHECK(run_once.skipped == 0);

  spec.on_missed = ast::MissedPolicy::skip;
  auto skip = flow::plan_start(spec, progress, t0 + 3h);
  CHECK(skip.slot == t0 + 220min);  // the grid: 55, 110, 165 passed; 220 ahead
  CHECK(skip.missed);
  CHECK(skip.skipped == 3);

  // A wall-clock schedule that never ran starts at its next slot.
  auto daily = spec_of(ast::DailyWhen{{}, {6, 30}});
  CHECK(iso(flow::plan_start(daily, {}, utc(2026, 11, 28, 7)).slot) == "2026-11-29T06:30:00Z");
  CHECK(iso(flow::plan_start(daily, {}, utc(2026, 11, 28, 6, 30)).slot) == "2026-11-28T06:30:00Z");
}

TEST_CASE("schedule: plan_start replans a slot planned by an edited schedule", "[schedule]") {
  auto t0 = utc(2026, 11, 28, 9, 0);
  // Was `every 1 day`, now `every 55 minutes`: last ran 3h ago, persisted next is tomorrow.
  auto interval = spec_of(ast::IntervalWhen{55, ast::TimeUnit::minutes});
  auto replanned = flow::plan_start(interval, {t0 - 3h, t0 + 21h, 4}, t0);
  CHECK(replanned.slot == t0);  // last run + 55 min passed: run once now
  CHECK(replanned.missed);
  CHECK(flow::plan_start(interval, {t0 - 10min, t0 + 45min, 4}, t0).slot == t0 + 45min);  // plausible: kept
  CHECK(flow::plan_start(interval, {std::nullopt, t0 + 2h, 0}, t0).slot == t0);           // never ran: now

  // Was 06:30, now 07:00.
  auto daily = spec_of(ast::DailyWhen{{}, {7, 0}});
  CHECK(iso(flow::plan_start(daily, {utc(2026, 11, 28, 6, 30), utc(2026, 11, 29, 6, 30), 1},
                             utc(2026, 11, 28, 6, 45)).slot) == "2026-11-28T07:00:00Z");
  CHECK(iso(flow::plan_start(daily, {std::nullopt, utc(2026, 11, 29, 7, 0), 1}, utc(2026, 11, 28, 7, 30)).slot) ==
        "2026-11-29T07:00:00Z");

  // A once moved to another time.
  auto once = spec_of(ast::OnceWhen{literal(utc(2027, 3, 1), "2027-03-01T00:00:00Z")});
  CHECK(iso(flow::plan_start(once, {std::nullopt, utc(2027, 1, 1), 0}, utc(2026, 12, 1)).slot) ==
        "2027-03-01T00:00:00Z");
}

TEST_CASE("schedule: a run that overran later slots skips or queues them", "[schedule]") {
  auto spec = spec_of(ast::IntervalWhen{10, ast::TimeUnit::minutes});
  auto t0 = utc(2026, 11, 28, 9, 0);
  auto on_time = flow::plan_after_run(spec, ran(t0, 1), t0 + 2min);
  CHECK(on_time.slot == t0 + 10min);
  CHECK(on_time.skipped == 0);

  auto skipped = flow::plan_after_run(spec, ran(t0, 1), t0 + 25min);
  CHECK(skipped.slot == t0 + 30min);
  CHECK(skipped.skipped == 2);

  spec.on_overlap = ast::OverlapPolicy::queue;
  auto queued = flow::plan_after_run(spec, ran(t0, 1), t0 + 25min);
  CHECK(queued.slot == t0 + 20min);  // one catch-up run now, on the grid
  CHECK(queued.skipped == 0);
}

TEST_CASE("schedule: dynamic times come from the interpreter", "[schedule]") {
  ast::ScheduleWhen when;
  when.node = ast::DynamicWhen{};
  auto spec = flow::make_schedule_spec(decl_of(std::move(when)));
  auto now = utc(2026, 11, 28, 9, 0);
  CHECK_FALSE(flow::slot_after(spec, now));
  CHECK(flow::plan_start(spec, {}, now, now + 50min).slot == now + 50min);
  auto overdue = flow::plan_start(spec, {}, now, now - 5min);
  CHECK(overdue.slot == now);
  CHECK(overdue.missed);
  CHECK_FALSE(flow::plan_start(spec, {}, now, std::nullopt).slot);
  CHECK(flow::plan_after_run(spec, ran(now, 1), now, now + 55min).slot == now + 55min);
  CHECK_FALSE(flow::plan_after_run(spec, ran(now, 1), now, now + 55min).anchor);
  // An expression still in the past after a run waits the minimum gap, and
  // the time it gave is kept to say so.
  const auto moved = flow::plan_after_run(spec, ran(now, 1), now, now - 1min);
  CHECK(moved.slot == now + spec.dynamic_min_gap);
  CHECK(moved.anchor == now - 1min);
  // So does one within the minimum gap (a token living 20 seconds).
  const auto short_lived = flow::plan_after_run(spec, ran(now, 1), now, now + 15s);
  CHECK(short_lived.slot == now + spec.dynamic_min_gap);
  CHECK(short_lived.anchor == now + 15s);
}

TEST_CASE("schedule: first run now runs a dynamic task that never ran at once, then follows its time", "[schedule]") {
  ast::ScheduleWhen when;
  when.node = ast::DynamicWhen{};
  auto decl = decl_of(std::move(when));
  decl.first_run_now = true;
  auto spec = flow::make_schedule_spec(decl);
  auto now = utc(2026, 11, 28, 9, 0);
  // Never ran: now, whether the time is not known yet (a fresh instance) or known.
  CHECK(flow::plan_start(spec, {}, now, std::nullopt).slot == now);
  CHECK(flow::plan_start(spec, {}, now, now + 50min).slot == now);
  // Once it ran (a restart, or a first run that failed and left the fields null): its time, or none.
  CHECK(flow::plan_start(spec, ran(now - 1h, 1), now, now + 50min).slot == now + 50min);
  CHECK_FALSE(flow::plan_start(spec, ran(now - 1h, 1), now, std::nullopt).slot);
  CHECK_FALSE(flow::plan_after_run(spec, ran(now, 1), now, std::nullopt).slot);

  // Any other time form refuses it: `every` runs at once already, a calendar schedule waits for its slot.
  auto every = decl_of(ast::ScheduleWhen{ast::IntervalWhen{55, ast::TimeUnit::minutes}, {}});
  every.first_run_now = true;
  CHECK_THROWS_WITH(flow::make_schedule_spec(every), flow::kFirstRunNowOnlyAt);
}

// ---------------------------------------------------------------- jitter, retry, errors

TEST_CASE("schedule: jitter is a deterministic delay with an injected source", "[schedule]") {
  auto t0 = utc(2026, 11, 28, 9, 0);
  flow::JitterSource fixed = [] { return std::uint64_t{12345}; };
  CHECK(flow::apply_jitter(t0, 20s, fixed) == t0 + 12345ms);
  flow::JitterSource big = [] { return std::uint64_t{20001}; };
  CHECK(flow::apply_jitter(t0, 20s, big) == t0);  // 20001 mod 20001
  flow::JitterSource top = [] { return std::uint64_t{20000}; };
  CHECK(flow::apply_jitter(t0, 20s, top) == t0 + 20s);
  CHECK(flow::apply_jitter(t0, 0ms, fixed) == t0);
}

TEST_CASE("schedule: retry backoff doubles", "[schedule]") {
  ast::ScheduleWhen when;
  when.node = ast::IntervalWhen{55, ast::TimeUnit::minutes};
  auto decl = decl_of(std::move(when));
  decl.retry = ast::RetryPolicy{3, ast::DurationLiteral{30s, "30s"}, {}};
  auto spec = flow::make_schedule_spec(decl);
  CHECK(spec.retry_times == 3);
  CHECK(flow::retry_delay(spec, 1) == 30s);
  CHECK(flow::retry_delay(spec, 2) == 60s);
  CHECK(flow::retry_delay(spec, 3) == 120s);
}

TEST_CASE("schedule: invalid declarations are ScheduleErrors", "[schedule]") {
  CHECK(schedule_error([] { spec_of(ast::IntervalWhen{55, ast::TimeUnit::minutes}, "Europe/Dublinn"); }) ==
        "unknown time zone \"Europe/Dublinn\"");
  CHECK(schedule_error([] { flow::make_schedule_spec(ast::ScheduleDecl{}); }) ==
        "the schedule says nothing about when it runs (every, cron, once or at)");
  CHECK(schedule_error([] { spec_of(ast::IntervalWhen{0, ast::TimeUnit::minutes}); }) ==
        "the interval must be at least 1, not 0");
  CHECK(schedule_error([] { spec_of(ast::DailyWhen{{}, {24, 0}}); }) == "time of day 24:00 is out of range 00:00-23:59");
  CHECK(schedule_error([] { spec_of(ast::HourlyWhen{60}); }) == "minute 60 is out of range 0-59");
  ast::MonthlyWhen bad;
  bad.day_of_month = 32;
  CHECK(schedule_error([&] { spec_of(bad); }) == "day 32 is out of range 1-31");
}
