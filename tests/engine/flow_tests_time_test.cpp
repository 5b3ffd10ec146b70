// `test` blocks on virtual time, run by run_test: schedules from the first
// advance on, dynamic times, `clock`, and runs by hand between them.
#include "engine/flow_tests.hpp"

#include <catch2/catch.hpp>

#include "support/flow_test_run.hpp"

using flow::testing::run_first;

TEST_CASE("schedules run on virtual time, from the first advance on, each at its slot", "[flow-test]") {
  const auto ran = run_first(R"(
schedule "refresh" { every 1 hour; process Keeper; id "K-1"; trigger Go; }
schedule "before expiry" { at At + seconds(Expires) - 5 minutes; process Keeper; id "K-2"; trigger Go; }

test "schedules" {
  clock 2026-03-01T09:00:00Z;
  instance "K-1" of Keeper { Refresh = "r"; }
  instance "K-2" of Keeper { Refresh = "r"; At = 2026-03-01T09:00:00Z; Expires = 600; }
  mock Api.Token { body { access_token = "a"; refresh_token = request.body.refresh_token + "+"; expires_in = 600; } }
  expect Api.Token.calls == 0;
  advance 4 minutes;
  // K-1 at once (09:00); K-2 at 09:05 is still ahead.
  expect instance("K-1").Refresh == "r+" and instance("K-2").Refresh == "r";
  advance 1 minute;
  expect instance("K-2").Refresh == "r+" and instance("K-2").At == 2026-03-01T09:05:00Z;
  clock 2026-03-01T10:00:00Z;
  // K-1 at 10:00; K-2 at 09:10, 09:15, ... 10:00: every 5 minutes (expires_in 600 - 5 minutes).
  expect instance("K-1").Refresh == "r++";
  expect instance("K-2").At == 2026-03-01T10:00:00Z;
  expect Api.Token.calls == 2 + 12;
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK(ran.expects == 6);
}

TEST_CASE("a dynamic schedule whose time is not known yet says why in the report, once", "[flow-test]") {
  const auto ran = run_first(R"(
schedule "before expiry" { at At + seconds(Expires) - 5 minutes; process Keeper; id "K-1"; trigger Go; }

test "fresh" {
  clock 2026-03-01T09:00:00Z;
  instance "K-1" of Keeper { Refresh = "r"; }
  mock Api.Token { body { access_token = "a"; refresh_token = "r2"; expires_in = 600; } }
  advance 1 hour;
  expect Api.Token.calls == 1;
}
)");
  CHECK_FALSE(ran.ok);
  CHECK(ran.report ==
        "  2026-03-01T09:00:00Z advance 1 hour\n"
        "    2026-03-01T09:00:00Z task \"before expiry\": its time cannot be computed yet: At and Expires of K-1 are "
        "null, so it does not run until a run sets them; run it once by hand: `run Keeper.Go on \"K-1\";` before time "
        "passes, or add `first run now;` to the schedule; checking again every 1m\n"
        "  FAIL test.flow:44:3: expect failed: Api.Token.calls == 1\n"
        "    left:  0\n"
        "    right: 1\n");
}

TEST_CASE("first run now: a fresh instance refreshes at once, then its token's expiry decides", "[flow-test]") {
  const auto ran = run_first(R"(
schedule "before expiry" { at At + seconds(Expires) - 5 minutes; first run now; process Keeper; id "K-1"; trigger Go; }

test "fresh" {
  clock 2026-03-01T09:00:00Z;
  instance "K-1" of Keeper { Refresh = "r"; }
  mock Api.Token { body { access_token = "a"; refresh_token = request.body.refresh_token + "+"; expires_in = 3600; } }
  advance 3 hours;
  expect Api.Token.calls == 4;  // 09:00 (the first run), 09:55, 10:50, 11:45
  expect instance("K-1").At == 2026-03-01T11:45:00Z and instance("K-1").Refresh == "r++++";
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK(ran.expects == 2);
}

TEST_CASE("a refresh by hand that got a shorter-lived token moves the schedule earlier, before it expires",
          "[flow-test]") {
  const auto ran = run_first(R"(
schedule "before expiry" { at At + seconds(Expires) - 5 minutes; first run now; process Keeper; id "K-1"; trigger Go; }

test "shorter" {
  clock 2026-03-01T09:00:00Z;
  instance "K-1" of Keeper { Refresh = "r"; }
  mock Api.Token { body { access_token = "a"; refresh_token = request.body.refresh_token + "+"; expires_in = 3600; } }
  advance 10 minutes;                // 09:00 the first run: the next is planned at 09:55
  mock Api.Token { body { access_token = "b"; refresh_token = request.body.refresh_token + "+"; expires_in = 600; } }
  mock Api.Token { body { access_token = "c"; refresh_token = request.body.refresh_token + "+"; expires_in = 3600; } }
  run Keeper.Go on "K-1";            // 09:10 by hand: this token expires at 09:20
  advance 15 minutes;
  expect Api.Token.calls == 3;       // 09:00, 09:10 by hand, and 09:15, five minutes before 09:20
  expect instance("K-1").At == 2026-03-01T09:15:00Z and instance("K-1").Refresh == "r+++";
}
)", false, true);
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK(ran.expects == 2);
  CHECK_THAT(ran.report, Catch::Contains("its instance was written since its slot 2026-03-01T09:55:00Z was planned (a "
                                         "run by hand, or another process's): its time is 2026-03-01T09:15:00Z now, "
                                         "and it waits for it"));
}

TEST_CASE("every 1 month from January 31 runs on each month's last day, not on the 28th", "[flow-test]") {
  const auto ran = run_first(R"(
process Stamp { field Seen text = ""; on Go { set Seen = Seen + " " + format_date(now()); save; } }
instance "S-1" of Stamp { }
schedule "monthly" { every 1 month; process Stamp; id "S-1"; trigger Go; }

test "monthly" {
  clock 2026-01-31T09:00:00Z;
  advance 100 days;
  expect instance("S-1").Seen ==
    " 2026-01-31T09:00:00Z 2026-02-28T09:00:00Z 2026-03-31T09:00:00Z 2026-04-30T09:00:00Z";
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
}

TEST_CASE("time only moves forward", "[flow-test]") {
  const auto ran = run_first(R"(
test "backwards" {
  clock 2026-03-01T09:00:00Z;
  advance 1 hour;
  clock 2026-03-01T09:30:00Z;
  expect true;
}
)");
  CHECK_FALSE(ran.ok);
  CHECK_THAT(ran.report, Catch::Contains("clock 2026-03-01T09:30:00Z is before the virtual time now "
                                         "(2026-03-01T10:00:00Z); time only moves forward"));
  CHECK(ran.expects == 0);
}

TEST_CASE("a clock after mocks is still the start; a clock at the time now moves nothing", "[flow-test]") {
  const auto ran = run_first(R"(
schedule "refresh" { every 1 hour; process Keeper; id "K-1"; trigger Go; }
test "start" {
  instance "K-1" of Keeper { Refresh = "r"; }
  mock Api.Token { body { access_token = "a"; } }
  clock 2026-03-01T09:00:00Z;
  expect now() == 2026-03-01T09:00:00Z;
  clock 2026-03-01T09:00:00Z;
  expect Api.Token.calls == 0;
  clock 2026-03-01T09:30:00Z;
  expect Api.Token.calls == 1;
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK(ran.expects == 3);
}

TEST_CASE("another schedule's run that moves a dynamic time earlier is followed, as a daemon follows it",
          "[flow-test]") {
  const auto ran = run_first(R"(
process Token {
  field ExpiresAt datetime;
  field Count number;
  on Refresh { set ExpiresAt = now() + 1 hour; set Count = (Count ?? 0) + 1; save; }
  on Shorten { set ExpiresAt = now() + 10 minutes; save; }
}
instance "T-1" of Token { }
schedule "before expiry" { at ExpiresAt - 5 minutes; first run now; process Token; id "T-1"; trigger Refresh; }
schedule "policy change" { once at 2026-03-01T09:10:00Z; process Token; id "T-1"; trigger Shorten; }

test "shortened" {
  clock 2026-03-01T09:00:00Z;
  advance 20 minutes;
  expect instance("T-1").Count == 2;  // 09:00, and 09:15: five minutes before the expiry 09:10 set
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK(ran.expects == 1);
}

TEST_CASE("a token shorter-lived than the one-minute gap: --verbose says its time was moved, and to when",
          "[flow-test]") {
  const auto ran = run_first(R"(
schedule "before expiry" { at At + seconds(Expires) - 5 seconds; first run now; process Keeper; id "K-1"; trigger Go; }

test "short-lived" {
  clock 2026-03-01T09:00:00Z;
  instance "K-1" of Keeper { Refresh = "r"; }
  mock Api.Token { body { access_token = "a"; refresh_token = "r2"; expires_in = 20; } }
  advance 30 seconds;
  expect Api.Token.calls == 1;  // not at 09:00:15: at most one run a minute
}
)", false, true);
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK_THAT(ran.report, Catch::Contains("task \"before expiry\": its time 2026-03-01T09:00:15Z is within a minute of "
                                         "its last run: next at 2026-03-01T09:01:00Z (at most one run a minute)\n"));
}
