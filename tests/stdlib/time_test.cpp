#include <catch2/catch.hpp>

#include "stdlib/stdlib_support.hpp"

using namespace flow;
using flow::test::at;
using flow::test::call;
using flow::test::secret;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

Value add(const char* when, double count, const char* unit) {
  return call("add_time", {Value(at(when)), Value(count), Value(unit)});
}

}  // namespace

TEST_CASE("now reads the context clock") {
  const test::FixedClock clock(at("2026-11-28T18:51:10Z"));
  CallContext context;
  context.clock = &clock;
  CHECK(call("now", {}, context) == Value(at("2026-11-28T18:51:10Z")));
}

TEST_CASE("now without a clock is a run error") {
  REQUIRE_THROWS_AS(call("now", {}), RunError);
  REQUIRE_THROWS_WITH(call("now", {}), "now: no clock is available here");
}

TEST_CASE("today is midnight UTC, or midnight in a zone") {
  const test::FixedClock clock(at("2026-07-01T23:30:00Z"));
  CallContext context;
  context.clock = &clock;
  CHECK(call("today", {}, context) == Value(at("2026-07-01T00:00:00Z")));
  // 00:30 on 2 July in Dublin (IST, UTC+1): the local day began at 23:00 UTC.
  CHECK(call("today", {"Europe/Dublin"}, context) == Value(at("2026-07-01T23:00:00Z")));
  CHECK(call("today", {"America/New_York"}, context) == Value(at("2026-07-01T04:00:00Z")));
  REQUIRE_THROWS_WITH(call("today", {"Mars/Olympus"}, context),
                      "today: unknown time zone \"Mars/Olympus\"");
  REQUIRE_THROWS_WITH(call("today", {}), "today: no clock is available here");
}

TEST_CASE("add_time with a duration") {
  CHECK(call("add_time", {Value(at("2026-01-01T00:00:00Z")), Value(Duration(minutes(55)))}) ==
        Value(at("2026-01-01T00:55:00Z")));
  CHECK(call("add_time", {Value(at("2026-01-01T00:00:00Z")), Value(Duration(-hours(1)))}) ==
        Value(at("2025-12-31T23:00:00Z")));
  REQUIRE_THROWS_WITH(call("add_time", {Value("2026-01-01"), Value(Duration(hours(1)))}),
                      "add_time: expected datetime, got text");
  REQUIRE_THROWS_WITH(call("add_time", {Value(at("2026-01-01T00:00:00Z")), Value(5)}),
                      "add_time: expected duration, got number");
}

TEST_CASE("add_time with fixed units") {
  CHECK(add("2026-01-01T00:00:00Z", 90, "seconds") == Value(at("2026-01-01T00:01:30Z")));
  CHECK(add("2026-01-01T00:00:00Z", 1.5, "hours") == Value(at("2026-01-01T01:30:00Z")));
  CHECK(add("2026-01-01T00:00:00Z", 2, "Weeks") == Value(at("2026-01-15T00:00:00Z")));
  CHECK(add("2026-01-01T00:00:00Z", -1, "d") == Value(at("2025-12-31T00:00:00Z")));
  CHECK(add("2026-01-01T00:00:00Z", 250, "ms") ==
        Value(at("2026-01-01T00:00:00Z") + milliseconds(250)));
  REQUIRE_THROWS_WITH(add("2026-01-01T00:00:00Z", 1, "fortnight"),
                      "add_time: unknown unit \"fortnight\" (expected ms, seconds, minutes, hours, "
                      "days, weeks, months or years)");
  REQUIRE_THROWS_WITH(add("2026-01-01T00:00:00Z", 1e300, "days"),
                      "add_time: duration out of range");
}

TEST_CASE("add_time with months clamps to the end of shorter months") {
  CHECK(add("2026-01-31T10:00:00Z", 1, "month") == Value(at("2026-02-28T10:00:00Z")));
  CHECK(add("2024-01-31T10:00:00Z", 1, "month") == Value(at("2024-02-29T10:00:00Z")));
  CHECK(add("2026-03-31T00:00:00Z", -1, "months") == Value(at("2026-02-28T00:00:00Z")));
  CHECK(add("2026-08-31T00:00:00Z", 1, "months") == Value(at("2026-09-30T00:00:00Z")));
  CHECK(add("2026-11-15T00:00:00Z", 3, "months") == Value(at("2027-02-15T00:00:00Z")));
  CHECK(add("2026-01-15T00:00:00Z", -13, "months") == Value(at("2024-12-15T00:00:00Z")));
  CHECK(add("2026-01-31T00:00:00Z", 0, "months") == Value(at("2026-01-31T00:00:00Z")));
}

TEST_CASE("add_time with years keeps Feb 29 inside leap years only") {
  CHECK(add("2024-02-29T12:00:00Z", 1, "year") == Value(at("2025-02-28T12:00:00Z")));
  CHECK(add("2024-02-29T12:00:00Z", 4, "years") == Value(at("2028-02-29T12:00:00Z")));
  CHECK(add("2024-02-29T12:00:00Z", -100, "years") == Value(at("1924-02-29T12:00:00Z")));
  CHECK(add("2000-02-29T00:00:00Z", 100, "years") == Value(at("2100-02-28T00:00:00Z")));
  REQUIRE_THROWS_WITH(add("2024-01-01T00:00:00Z", 1.5, "months"),
                      "add_time: expected a whole number, got 1.5");
  REQUIRE_THROWS_WITH(add("2024-01-01T00:00:00Z", 1e6, "years"), "add_time: date out of range");
}

TEST_CASE("datetimes stay within the years -9999 to 9999") {
  CHECK(add("9999-12-31T23:59:58Z", 1, "s") == Value(at("9999-12-31T23:59:59Z")));
  REQUIRE_THROWS_WITH(add("9999-12-31T23:59:59Z", 1, "s"), "add_time: date out of range");
  REQUIRE_THROWS_WITH(add("9999-12-01T00:00:00Z", 1, "month"), "add_time: date out of range");
  REQUIRE_THROWS_WITH(call("add_time", {Value(at("2026-01-01T00:00:00Z")),
                                        Value(Duration(std::chrono::hours(24 * 365 * 9000)))}),
                      "add_time: date out of range");
  REQUIRE_THROWS_WITH(call("from_unix", {3e11}), "from_unix: date out of range");
  REQUIRE_THROWS_WITH(call("from_unix", {1e300}), "from_unix: date out of range");
}

TEST_CASE("diff subtracts the second datetime from the first") {
  CHECK(call("diff", {Value(at("2024-03-01T00:00:00Z")), Value(at("2024-02-28T00:00:00Z"))}) ==
        Value(Duration(hours(48))));
  CHECK(call("diff", {Value(at("2026-01-01T00:00:00Z")), Value(at("2026-01-01T00:00:10Z"))}) ==
        Value(Duration(seconds(-10))));
  REQUIRE_THROWS_WITH(call("diff", {Value(at("2026-01-01T00:00:00Z")), Value()}),
                      "diff: expected datetime, got null");
}

TEST_CASE("seconds minutes hours days build durations") {
  CHECK(call("seconds", {30}) == Value(Duration(seconds(30))));
  CHECK(call("minutes", {55}) == Value(Duration(minutes(55))));
  CHECK(call("hours", {1.5}) == Value(Duration(minutes(90))));
  CHECK(call("days", {-1}) == Value(Duration(hours(-24))));
  CHECK(call("seconds", {0.0015}) == Value(Duration(milliseconds(2))));
  REQUIRE_THROWS_WITH(call("minutes", {"55"}), "minutes: expected number, got text");
  REQUIRE_THROWS_WITH(call("days", {1e300}), "days: duration out of range");
}

TEST_CASE("format_date defaults to ISO 8601 UTC") {
  CHECK(call("format_date", {Value(at("2026-11-28T18:51:10Z"))}) == Value("2026-11-28T18:51:10Z"));
  CHECK(call("format_date", {Value(at("2026-11-28T18:51:10Z") + milliseconds(5)), Value()}) ==
        Value("2026-11-28T18:51:10.005Z"));
  REQUIRE_THROWS_WITH(call("format_date", {Value("2026-11-28")}),
                      "format_date: expected datetime, got text");
}

TEST_CASE("format_date with patterns and zones") {
  const Value summer(at("2026-07-01T12:00:00Z"));
  const Value winter(at("2026-01-15T12:00:00Z"));
  CHECK(call("format_date", {summer, "%d/%m/%Y %H:%M"}) == Value("01/07/2026 12:00"));
  CHECK(call("format_date", {summer, "%H:%M:%S"}) == Value("12:00:00"));
  CHECK(call("format_date", {summer, "%A %d %B %Y"}) == Value("Wednesday 01 July 2026"));
  // Europe/Dublin: IST (UTC+1) in summer, GMT in winter.
  CHECK(call("format_date", {summer, "%H:%M %Z", "Europe/Dublin"}) == Value("13:00 IST"));
  CHECK(call("format_date", {winter, "%H:%M %Z", "Europe/Dublin"}) == Value("12:00 GMT"));
  CHECK(call("format_date", {summer, Value(), "Europe/Dublin"}) ==
        Value("2026-07-01T13:00:00+01:00"));
  CHECK(call("format_date", {winter, Value(), "America/New_York"}) ==
        Value("2026-01-15T07:00:00-05:00"));
  CHECK(call("format_date", {summer, "%z"}) == Value("+0000"));
  REQUIRE_THROWS_WITH(call("format_date", {summer, "%H", "Nowhere"}),
                      "format_date: unknown time zone \"Nowhere\"");
  REQUIRE_THROWS_WITH(call("format_date", {summer, 5}), "format_date: expected text, got number");
}

TEST_CASE("parse_date reads ISO 8601 with Z, offsets and zones") {
  CHECK(call("parse_date", {"2027-06-30"}) == Value(at("2027-06-30T00:00:00Z")));
  CHECK(call("parse_date", {"2027-06-30T09:30:15Z"}) == Value(at("2027-06-30T09:30:15Z")));
  CHECK(call("parse_date", {"2027-06-30T09:30Z"}) == Value(at("2027-06-30T09:30:00Z")));
  CHECK(call("parse_date", {"2027-06-30 09:30:15"}) == Value(at("2027-06-30T09:30:15Z")));
  CHECK(call("parse_date", {"2027-06-30T09:30:15.250Z"}) ==
        Value(at("2027-06-30T09:30:15Z") + milliseconds(250)));
  CHECK(call("parse_date", {"2027-06-30T09:30:15.123456Z"}) ==
        Value(at("2027-06-30T09:30:15Z") + milliseconds(123)));
  CHECK(call("parse_date", {"2027-06-30T09:30:00+01:00"}) == Value(at("2027-06-30T08:30:00Z")));
  CHECK(call("parse_date", {"2027-06-30T09:30:00-0530"}) == Value(at("2027-06-30T15:00:00Z")));
  CHECK(call("parse_date", {"2027-06-30T09:30:00+02"}) == Value(at("2027-06-30T07:30:00Z")));
  CHECK(call("parse_date", {"2027-06-30T09:30:00[Europe/Dublin]"}) ==
        Value(at("2027-06-30T08:30:00Z")));
  CHECK(call("parse_date", {"2024-02-29"}) == Value(at("2024-02-29T00:00:00Z")));
}

TEST_CASE("parse_date(text) and a datetime field read ISO 8601 alike (one reader)") {
  const auto field = [](const std::string& text) {
    return coerce_to_field(Value(text), ast::FieldType::datetime, "At");
  };
  for (const std::string text :
       {"2027-06-30", "2027-06-30T09:30", "2027-06-30 09:30:15", "2027-06-30t09:30:15,5z", "2027-06-30T09:30+02",
        "2027-06-30T09:30:15.123456789-0530", "2027-06-30T09:30[Europe/Dublin]",
        "2027-06-30T09:30:00+01:00[America/New_York]"}) {
    INFO(text);
    CHECK(call("parse_date", {text}) == field(text));
  }
  for (const std::string text : {"", "2027-13-01", "2027-06-31", "2027-02-29", "2027-06-30T24:00",
                                 "2027-06-30T09:60", "2027-06-30T09:30Zjunk", "99999999999"}) {
    INFO(text);
    CHECK_THROWS_WITH(call("parse_date", {text}), Catch::Contains("is not a date (ISO 8601)"));
    CHECK_THROWS_WITH(field(text), "cannot assign text \"" + text + "\" to datetime field 'At'");
  }
}

TEST_CASE("parse_date places local times in a zone, across Dublin's DST") {
  CHECK(call("parse_date", {"2026-07-01T13:00:00", "Europe/Dublin"}) ==
        Value(at("2026-07-01T12:00:00Z")));
  CHECK(call("parse_date", {"2026-01-15T12:00:00", "Europe/Dublin"}) ==
        Value(at("2026-01-15T12:00:00Z")));
  CHECK(call("parse_date", {"2026-07-01", "Europe/Dublin"}) == Value(at("2026-06-30T23:00:00Z")));
  // 29 March 2026 01:30 does not exist in Dublin (clocks go 01:00 -> 02:00).
  CHECK(call("parse_date", {"2026-03-29T01:30:00", "Europe/Dublin"}) ==
        Value(at("2026-03-29T01:00:00Z")));
  // 25 October 2026 01:30 happens twice: the earlier (IST) one is chosen.
  CHECK(call("parse_date", {"2026-10-25T01:30:00", "Europe/Dublin"}) ==
        Value(at("2026-10-25T00:30:00Z")));
  // An explicit offset wins over the zone argument.
  CHECK(call("parse_date", {"2026-07-01T13:00:00Z", "Europe/Dublin"}) ==
        Value(at("2026-07-01T13:00:00Z")));
}

TEST_CASE("parse_date with a pattern") {
  CHECK(call("parse_date", {"30/06/2027", "%d/%m/%Y"}) == Value(at("2027-06-30T00:00:00Z")));
  CHECK(call("parse_date", {"30/06/2027 14:05", "%d/%m/%Y %H:%M"}) ==
        Value(at("2027-06-30T14:05:00Z")));
  CHECK(call("parse_date", {"30/06/2027 14:05", "%d/%m/%Y %H:%M", "Europe/Dublin"}) ==
        Value(at("2027-06-30T13:05:00Z")));
  CHECK(call("parse_date", {"2027-06-30 14:05 +0200", "%F %H:%M %z"}) ==
        Value(at("2027-06-30T12:05:00Z")));
  // %z reads +HH before any text, not only at the end ("(+02)" was refused before the ISO reader merged).
  CHECK(call("parse_date", {"2027-06-30 14:05 (+02)", "%F %H:%M (%z)"}) == Value(at("2027-06-30T12:05:00Z")));
  CHECK(call("parse_date", {"2027-06-30 14:05 Europe/Dublin", "%F %H:%M %Z"}) ==
        Value(at("2027-06-30T13:05:00Z")));
  CHECK(call("parse_date", {"2027-06-30T14:05:00", Value(), "Europe/Dublin"}) ==
        Value(at("2027-06-30T13:05:00Z")));
}

TEST_CASE("parse_date rejects junk with a clear message") {
  REQUIRE_THROWS_WITH(call("parse_date", {"tomorrow"}),
                      "parse_date: \"tomorrow\" is not a date (ISO 8601)");
  REQUIRE_THROWS_WITH(call("parse_date", {"2026-02-30"}),
                      "parse_date: \"2026-02-30\" is not a date (ISO 8601)");
  REQUIRE_THROWS_AS(call("parse_date", {"2026-01-01T25:00:00Z"}), RunError);
  REQUIRE_THROWS_AS(call("parse_date", {"2026-01-01T10:00:00Zjunk"}), RunError);
  REQUIRE_THROWS_AS(call("parse_date", {"2026-01-01T10:00:00[]"}), RunError);
  REQUIRE_THROWS_WITH(call("parse_date", {"30/06/2027 junk", "%d/%m/%Y"}),
                      "parse_date: \"30/06/2027 junk\" is not a date in the pattern \"%d/%m/%Y\"");
  REQUIRE_THROWS_WITH(call("parse_date", {"2026-01-01", "Nowhere/City"}),
                      "parse_date: argument 2, \"Nowhere/City\", has no % conversion, so it was taken for a time "
                      "zone, and there is no such zone; patterns are strftime, such as \"%Y-%m-%d %H:%M\"");
  REQUIRE_THROWS_WITH(call("parse_date", {"2026-01-01T00:00[Nowhere/City]"}),
                      "parse_date: unknown time zone \"Nowhere/City\"");
  REQUIRE_THROWS_WITH(call("parse_date", {secret("hunter2")}),
                      "parse_date: " + test::kMask + " is not a date (ISO 8601)");
  REQUIRE_THROWS_WITH(call("parse_date", {Value()}), "parse_date: expected text, got null");
}

TEST_CASE("a pattern without a % conversion is a run error, not text returned as written") {
  const Value t(at("2026-03-05T14:30:00Z"));
  REQUIRE_THROWS_WITH(call("format_date", {t, "yyyy-MM-dd HH:mm"}),
                      "format_date: pattern \"yyyy-MM-dd HH:mm\" has no % conversion; patterns are strftime: "
                      "\"%Y-%m-%d %H:%M\"");
  REQUIRE_THROWS_WITH(call("format_date", {t, "dd/MM/yyyy 'at' h:mm a"}),
                      "format_date: pattern \"dd/MM/yyyy 'at' h:mm a\" has no % conversion; patterns are "
                      "strftime: \"%d/%m/%Y at %I:%M %p\"");
  REQUIRE_THROWS_WITH(call("format_date", {t, "EEEE d MMMM"}),
                      "format_date: pattern \"EEEE d MMMM\" has no % conversion; patterns are strftime: "
                      "\"%A %d %B\"");
  REQUIRE_THROWS_WITH(call("format_date", {t, "today"}),
                      "format_date: pattern \"today\" has no % conversion; patterns are strftime, such as "
                      "\"%Y-%m-%d %H:%M\"");
  REQUIRE_THROWS_WITH(call("format_date", {t, "100%%"}),
                      "format_date: pattern \"100%%\" has no % conversion; patterns are strftime, such as "
                      "\"%Y-%m-%d %H:%M\"");
  REQUIRE_THROWS_WITH(call("format_date", {t, "yyyy", "Europe/Dublin"}),
                      "format_date: pattern \"yyyy\" has no % conversion; patterns are strftime: \"%Y\"");
  // A secret pattern is neither echoed nor translated.
  REQUIRE_THROWS_WITH(call("format_date", {t, secret("yyyy-MM-dd")}),
                      "format_date: pattern " + test::kMask + " has no % conversion; patterns are strftime, "
                      "such as \"%Y-%m-%d %H:%M\"");
  CHECK(call("format_date", {t, "%%%Y"}) == Value("%2026"));
}

TEST_CASE("format_date with a time zone where the pattern goes says where the zone goes") {
  REQUIRE_THROWS_WITH(call("format_date", {Value(at("2026-03-05T14:30:00Z")), "Europe/Dublin"}),
                      "format_date: \"Europe/Dublin\" is a time zone, not a pattern; the zone is the third "
                      "argument: format_date(t, null, \"Europe/Dublin\") for ISO 8601 there");
}

TEST_CASE("parse_date says which argument it took for a pattern and which for a time zone") {
  REQUIRE_THROWS_WITH(call("parse_date", {"05/03/2026", "dd/MM/yyyy"}),
                      "parse_date: argument 2, \"dd/MM/yyyy\", has no % conversion, so it was taken for a time "
                      "zone, and there is no such zone; patterns are strftime: \"%d/%m/%Y\"");
  CHECK(call("parse_date", {"05/03/2026", "%d/%m/%Y"}) == Value(at("2026-03-05T00:00:00Z")));
  REQUIRE_THROWS_WITH(call("parse_date", {"05/03/2026", "Europe/Dublin"}),
                      "parse_date: \"05/03/2026\" is not a date (ISO 8601; argument 2, \"Europe/Dublin\", was "
                      "taken for its time zone)");
  REQUIRE_THROWS_WITH(call("parse_date", {"05/03/2026", "dd/MM/yyyy", "Europe/Dublin"}),
                      "parse_date: pattern \"dd/MM/yyyy\" has no % conversion; patterns are strftime: "
                      "\"%d/%m/%Y\"");
  REQUIRE_THROWS_WITH(call("parse_date", {"05/03/2026", "%d/%m/%Y", "Dublin"}),
                      "parse_date: unknown time zone \"Dublin\" (argument 3)");
  CHECK(call("parse_date", {"05/03/2026 14:30", "%d/%m/%Y %H:%M", "Europe/Dublin"}) ==
        Value(at("2026-03-05T14:30:00Z")));
}

TEST_CASE("format_date and parse_date round-trip") {
  const Value t(at("2026-10-25T00:30:00Z") + milliseconds(7));
  CHECK(call("parse_date", {call("format_date", {t})}) == t);
  const Value dublin = call("format_date", {t, Value(), "Europe/Dublin"});
  CHECK(dublin == Value("2026-10-25T01:30:00.007+01:00"));
  CHECK(call("parse_date", {dublin}) == t);
}

TEST_CASE("unix_time and from_unix") {
  CHECK(call("unix_time", {Value(at("1970-01-01T00:00:00Z"))}) == Value(0));
  CHECK(call("unix_time", {Value(at("2026-11-28T18:51:10Z"))}) == Value(1795891870));
  CHECK(call("unix_time", {Value(at("1970-01-01T00:00:01Z") + milliseconds(500))}) == Value(1.5));
  CHECK(call("from_unix", {1795891870}) == Value(at("2026-11-28T18:51:10Z")));
  CHECK(call("from_unix", {-86400}) == Value(at("1969-12-31T00:00:00Z")));
  REQUIRE_THROWS_WITH(call("from_unix", {"1795891870"}), "from_unix: expected number, got text");
  REQUIRE_THROWS_WITH(call("unix_time", {1}), "unix_time: expected datetime, got number");
}

TEST_CASE("time results computed from secrets are secret") {
  CHECK(call("parse_date", {secret("2027-06-30")}).secret);
  CHECK(call("format_date", {Value(at("2027-06-30T00:00:00Z")), secret("%Y")}).secret);
  CHECK(call("add_time", {Value(at("2027-06-30T00:00:00Z")), Value(1), secret("days")}).secret);
  CHECK_FALSE(call("parse_date", {"2027-06-30"}).secret);
  CHECK_FALSE(call("format_date", {Value(at("2027-06-30T00:00:00Z"))}).secret);
}

TEST_CASE("parse_date patterns: names, 12-hour clock, fractions, two-digit years") {
  CHECK(call("parse_date", {"Wed, 30 Jun 2027 14:05:09 GMT", "%a, %d %b %Y %T %Z"}) ==
        Value(at("2027-06-30T14:05:09Z")));
  CHECK(call("parse_date", {"june 3 2027 2:05 pm", "%B %e %Y %I:%M %p"}) == Value(at("2027-06-03T14:05:00Z")));
  CHECK(call("parse_date", {"12:30 AM 01/02/27", "%I:%M %p %D"}) == Value(at("2027-01-02T00:30:00Z")));
  CHECK(call("parse_date", {"2027-06-30 14:05:09.25", "%F %T"}) == Value(at("2027-06-30T14:05:09.250Z")));
  CHECK(call("parse_date", {"2027-06-30 14:05 +01:00", "%F %R %Ez"}) == Value(at("2027-06-30T13:05:00Z")));
  CHECK(call("parse_date", {"1/6/99", "%d/%m/%y"}) == Value(at("1999-06-01T00:00:00Z")));
  CHECK(call("parse_date", {"100%  2027-06-30", "100%% %F"}) == Value(at("2027-06-30T00:00:00Z")));
}

TEST_CASE("parse_date patterns refuse what does not match, and say which conversions they read") {
  // Half a time: date::parse read an uninitialized value here (UBSan).
  REQUIRE_THROWS_AS(call("parse_date", {"2027-06-30 14:0", "%F %T"}), RunError);
  REQUIRE_THROWS_AS(call("parse_date", {"2027-06-30 14", "%F %H:%M:%S"}), RunError);
  REQUIRE_THROWS_AS(call("parse_date", {"2027-02-30", "%F"}), RunError);
  REQUIRE_THROWS_AS(call("parse_date", {"14:05", "%H:%M"}), RunError);  // no date
  REQUIRE_THROWS_AS(call("parse_date", {"2027-06-30 25:00", "%F %R"}), RunError);
  REQUIRE_THROWS_AS(call("parse_date", {"2027-06-30 1:00 xm", "%F %I:%M %p"}), RunError);
  REQUIRE_THROWS_WITH(call("parse_date", {"2027-181", "%Y-%j"}),
                      Catch::Contains("the pattern's %j is not a conversion parse_date reads; it reads %Y"));
  REQUIRE_THROWS_WITH(call("parse_date", {"2027-06-30", "%F %"}), Catch::Contains("lone %"));
}
