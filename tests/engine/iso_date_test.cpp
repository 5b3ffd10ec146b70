// The one ISO 8601 reader: what a datetime field and parse_date(text) take.
#include "engine/iso_date.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace {

using namespace std::chrono;
using flow::ParsedDate;

const date::local_days kDay{date::year{2027} / 6 / 30};

ParsedDate read(const std::string& text) {
  INFO(text);
  const auto parsed = flow::parse_iso(text);
  REQUIRE(parsed);
  return *parsed;
}

milliseconds local_time_of(const std::string& text) { return read(text).local - kDay; }

}  // namespace

TEST_CASE("parse_iso: a date alone, and a time with or without seconds", "[iso_date]") {
  const auto day = read("2027-06-30");
  CHECK(day.local == kDay);
  CHECK_FALSE(day.offset);
  CHECK(day.zone.empty());
  CHECK(local_time_of("2027-06-30T09:30") == 9h + 30min);
  CHECK(local_time_of("2027-06-30t09:30") == 9h + 30min);
  CHECK(local_time_of("2027-06-30 09:30") == 9h + 30min);
  CHECK(local_time_of("2027-06-30T09:30:15") == 9h + 30min + 15s);
  CHECK(local_time_of("2027-06-30T00:00:00") == 0ms);
  CHECK(local_time_of("2027-06-30T23:59:59") == 23h + 59min + 59s);
  CHECK(read("2024-02-29").local == date::local_days{date::year{2024} / 2 / 29});
  CHECK(read("2000-02-29").local == date::local_days{date::year{2000} / 2 / 29});
  CHECK(read("0000-01-01").local == date::local_days{date::year{0} / 1 / 1});
  CHECK(read("9999-12-31").local == date::local_days{date::year{9999} / 12 / 31});
}

TEST_CASE("parse_iso: a fraction of a second after '.' or ',', read to the millisecond", "[iso_date]") {
  CHECK(local_time_of("2027-06-30T09:30:15.250") == 9h + 30min + 15s + 250ms);
  CHECK(local_time_of("2027-06-30T09:30:15,5") == 9h + 30min + 15s + 500ms);
  CHECK(local_time_of("2027-06-30T09:30:15.05") == 9h + 30min + 15s + 50ms);
  CHECK(local_time_of("2027-06-30T09:30:15.123456789") == 9h + 30min + 15s + 123ms);
  CHECK(local_time_of("2027-06-30T09:30:15.9999") == 9h + 30min + 15s + 999ms);  // dropped, not rounded
  // Very long, and still a date: the digits past the millisecond are skipped, never summed.
  CHECK(local_time_of("2027-06-30T09:30:15.123" + std::string(100000, '9') + "Z") == 9h + 30min + 15s + 123ms);
}

TEST_CASE("parse_iso: offsets Z, +HH:MM, +HHMM and +HH, either sign", "[iso_date]") {
  const auto offset_of = [](const std::string& text) {
    const auto parsed = read(text);
    REQUIRE(parsed.offset);
    return *parsed.offset;
  };
  CHECK(offset_of("2027-06-30T09:30Z") == 0min);
  CHECK(offset_of("2027-06-30T09:30:00z") == 0min);
  CHECK(offset_of("2027-06-30T09:30:00+01:00") == 60min);
  CHECK(offset_of("2027-06-30T09:30:00-0530") == -330min);
  CHECK(offset_of("2027-06-30T09:30:00+02") == 120min);
  CHECK(offset_of("2027-06-30T09:30-00:00") == 0min);
  CHECK(offset_of("2027-06-30T09:30:00.5+23:59") == 23h + 59min);
  CHECK(local_time_of("2027-06-30T09:30:00.5+01") == 9h + 30min + 500ms);
}

TEST_CASE("parse_iso: a [Zone] suffix, after the time or its offset, is kept by name", "[iso_date]") {
  const auto zoned = read("2027-06-30T09:30[Europe/Dublin]");
  CHECK(zoned.zone == "Europe/Dublin");
  CHECK_FALSE(zoned.offset);
  const auto both = read("2027-06-30T09:30:00+01:00[Europe/Dublin]");
  CHECK(both.zone == "Europe/Dublin");
  CHECK(both.offset == 60min);
  CHECK(read("2027-06-30T09:30+01[Nowhere/City]").zone == "Nowhere/City");  // looked up by the caller
  CHECK(read("2027-06-30T09:30[" + std::string(64, 'A') + "]").zone.size() == 64);
}

TEST_CASE("parse_iso refuses dates and times that do not exist", "[iso_date]") {
  for (const std::string text :
       {"2027-13-01", "2027-00-10", "2027-06-00", "2027-06-31", "2027-04-31", "2027-02-29", "1900-02-29",
        "2027-02-30", "2027-06-30T24:00", "2027-06-30T24:00:00Z", "2027-06-30T12:60", "2027-06-30T12:00:60",
        "2027-06-30T12:00:00+24:00", "2027-06-30T12:00:00+01:60", "2027-06-30T12:00:00-2400", "2027-06-30T12:00+24"}) {
    INFO(text);
    CHECK_FALSE(flow::parse_iso(text));
  }
}

TEST_CASE("parse_iso refuses other shapes, trailing text and empty text", "[iso_date]") {
  for (const std::string text :
       {"", " ", "2027", "2027-06", "2027-6-30", "20270630", "2027/06/30", " 2027-06-30", "2027-06-30 ",
        "2027-06-30X", "2027-06-30T", "2027-06-30Z", "2027-06-30T9:30", "2027-06-30T09", "2027-06-30T0930",
        "2027-06-30T09:30:1", "2027-06-30T09:30.5", "2027-06-30T09:30:00.", "2027-06-30T09:30:00.Z",
        "2027-06-30T09:30:00 Z", "2027-06-30T09:30:00Zjunk", "2027-06-30T09:30:00Z ", "2027-06-30T09:30:00+1:00",
        "2027-06-30T09:30:00+01:0", "2027-06-30T09:30:00+013", "2027-06-30T09:30:00+", "2027-06-30T09:30[]",
        "2027-06-30T09:30[Europe/Dublin", "2027-06-30T09:30[Europe/Dublin]x", "2027-06-30[Europe/Dublin]",
        "-2027-06-30", "+2027-06-30", "2027-06-30T09:30Ton:00:00Z", "2027-06-30T09:30ZZ"}) {
    INFO(text);
    CHECK_FALSE(flow::parse_iso(text));
  }
}

TEST_CASE("parse_iso refuses very long text and digit runs an int cannot hold", "[iso_date]") {
  for (const std::string text :
       {"99999999999", "99999999999-01-01", "2027-99999999999-01", "2027-06-99999999999",
        "2027-06-30T99999999999", "2027-06-30T09:99999999999", "2027-06-30T09:30:99999999999",
        "2027-06-30T09:30:00+99999999999", "2027-06-30T09:30:00+01:99999999999"}) {
    INFO(text);
    CHECK_FALSE(flow::parse_iso(text));
  }
  CHECK_FALSE(flow::parse_iso(std::string(100000, '9')));
  CHECK_FALSE(flow::parse_iso("2027-06-30" + std::string(100000, ' ')));
  CHECK_FALSE(flow::parse_iso("2027-06-30T09:30:00Z" + std::string(100000, 'x')));
  CHECK_FALSE(flow::parse_iso("2027-06-30T09:30[" + std::string(65, 'A') + "]"));  // no zone name is that long
  CHECK_FALSE(flow::parse_iso("2027-06-30T09:30[" + std::string(100000, 'A')));
}

TEST_CASE("resolve: the offset wins, else the zone's local time (earliest across DST), else UTC", "[iso_date]") {
  const auto* dublin = flow::find_zone("Europe/Dublin");
  REQUIRE(dublin);
  const flow::TimePoint utc_day{date::sys_days{date::year{2027} / 6 / 30}.time_since_epoch()};
  CHECK(flow::resolve(read("2027-06-30T09:30"), nullptr) == utc_day + 9h + 30min);
  CHECK(flow::resolve(read("2027-06-30T09:30"), dublin) == utc_day + 8h + 30min);
  CHECK(flow::resolve(read("2027-06-30T09:30-02:00"), dublin) == utc_day + 11h + 30min);
  // 01:30 on 29 March 2026 does not exist in Dublin (clocks go 01:00 -> 02:00): 01:00 UTC.
  const flow::TimePoint spring{date::sys_days{date::year{2026} / 3 / 29}.time_since_epoch()};
  CHECK(flow::resolve(read("2026-03-29T01:30"), dublin) == spring + 1h);
}

TEST_CASE("find_zone: an IANA name from the tz database, else nullptr", "[iso_date]") {
  CHECK(flow::find_zone("Europe/Dublin") != nullptr);
  CHECK(flow::find_zone("UTC") != nullptr);
  CHECK(flow::find_zone("Nowhere/City") == nullptr);
  CHECK(flow::find_zone("") == nullptr);
}
