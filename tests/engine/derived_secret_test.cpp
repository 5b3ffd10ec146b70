// Masks of values derived from a secret (docs/semantics.md, "Secrets"): only a
// secret the run knows whole shows its last 4 characters; a substring, a
// concatenation, to_json or upper() of one is the mask alone, in the log, the
// run's error and the stored history.
#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"
#include "support/masked.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

// No 4 characters of the token appear in `text` (the mask's own are not its).
bool holds_part_of_token(const std::string& text, const std::string& token) {
  for (std::size_t at = 0; at + 4 <= token.size(); ++at)
    if (text.find(token.substr(at, 4)) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a value derived from a secret is masked without a tail, in the log and the history", "[secrets]") {
  const std::string token = "WRONG-token-abcdefghijklmnopqrstuvwxyz";
  EngineFixture f(R"(
process P {
  field AccessToken secret = "WRONG-token-abcdefghijklmnopqrstuvwxyz";
  on Parts {
    log "whole=${AccessToken}";
    log "p16=${substring(AccessToken, 0, 16)} p20=${substring(AccessToken, 0, 20)} p24=${substring(AccessToken, 0, 24)}";
    log "upper=${upper(AccessToken)} lower=${lower(AccessToken)}";
    log "json=${to_json(AccessToken)} cat=${AccessToken + "-x"}";
    log substring(AccessToken, 4, 30);
    save;
  }
}
)");
  const auto result = f.run("P", "Parts");
  REQUIRE(result.ok);
  REQUIRE(result.log.size() >= 5);
  CHECK(result.log[0] == "whole=" + kDots + "wxyz");  // the secret itself: unchanged
  CHECK(result.log[1] == "p16=" + kDots + " p20=" + kDots + " p24=" + kDots);
  CHECK(result.log[2] == "upper=" + kDots + " lower=" + kDots);
  CHECK(result.log[3] == "json=" + kDots + " cat=" + kDots);
  CHECK(result.log[4] == kDots);
  const auto runs = f.store->runs("", 10);
  REQUIRE(runs.size() == 1);
  for (std::size_t i = 1; i < 5; ++i) {
    CHECK(runs[0].log.at(i) == result.log[i]);
    CHECK_FALSE(holds_part_of_token(result.log[i], token));
  }
}

TEST_CASE("a run error about a value derived from a secret shows the mask alone", "[secrets]") {
  EngineFixture f(R"(
process P {
  field AccessToken secret = "WRONG-token-abcdefghijklmnopqrstuvwxyz";
  on Whole { log to_number(AccessToken); }
  on Part { log to_number(substring(AccessToken, 0, 20)); }
  on Failed { fail "bad ${substring(AccessToken, 0, 16)}"; }
}
)");
  const auto whole = f.run("P", "Whole");
  CHECK_FALSE(whole.ok);
  CHECK_THAT(whole.error, Catch::Contains("to_number: " + kDots + "wxyz is not a number"));
  const auto part = f.run("P", "Part");
  CHECK_FALSE(part.ok);
  CHECK_THAT(part.error, Catch::Contains("to_number: " + kDots + " is not a number"));
  CHECK_THAT(part.error, !Catch::Contains("efgh"));
  const auto failed = f.run("P", "Failed");
  CHECK_FALSE(failed.ok);
  CHECK_THAT(failed.error, Catch::Contains("bad " + kDots + "\n"));
  for (const auto& run : f.store->runs("", 10)) CHECK_THAT(run.message, !Catch::Contains("abcd") && !Catch::Contains("efgh"));
}

TEST_CASE("a field not declared secret that holds a secret's text shows the mask alone", "[secrets]") {
  // Msg ends with the token's 13th-16th characters ("abcd"): read by name, it
  // is a field, but not one declared secret, so it is no secret known whole.
  EngineFixture f(R"(
process P {
  field AccessToken secret = "WRONG-token-abcdefghijklmnopqrstuvwxyz";
  field Msg text;
  field Copy text;
  on Derive {
    set Msg = substring(AccessToken, 0, 16);
    set Copy = AccessToken;
    log "msg=${Msg} copy=${Copy} token=${AccessToken}";
    log Msg;
    save;
  }
  on Again { log "msg=${Msg} copy=${Copy} token=${AccessToken}"; }
  on Failed { fail "bad ${Msg}"; }
}
instance "P-1" of P { }
)");
  const auto result = f.run("P", "Derive", "P-1");
  REQUIRE(result.ok);
  REQUIRE(result.log.size() >= 2);
  CHECK(result.log[0] == "msg=" + kDots + " copy=" + kDots + " token=" + kDots + "wxyz");
  CHECK(result.log[1] == kDots);
  CHECK(result.instance.fields.at("Msg").secret);
  CHECK_FALSE(is_whole_secret(result.instance.fields.at("Msg")));
  CHECK(is_whole_secret(result.instance.fields.at("AccessToken")));
  // The same once the values come back from the store, and in a run's error.
  const auto again = f.run("P", "Again", "P-1");
  REQUIRE(again.ok);
  CHECK(again.log.at(0) == result.log[0]);
  const auto failed = f.run("P", "Failed", "P-1");
  CHECK_FALSE(failed.ok);
  CHECK_THAT(failed.error, Catch::Contains("bad " + kDots + "\n"));
  for (const auto& run : f.store->runs("", 10)) {
    CHECK_THAT(run.message, !Catch::Contains("abcd"));
    for (const auto& line : run.log) CHECK_THAT(line, !Catch::Contains("abcd"));
  }
}

TEST_CASE("an echo of a text field's derived secret is masked alone, a secret field's with its tail", "[secrets]") {
  EngineFixture f(R"(
datasource E rest {
  base_url = "http://127.0.0.1:9";
  method Send POST "/send" { request body json { note; token; } response body json { ok; } }
}
process P {
  field AccessToken secret = "WRONG-token-abcdefghijklmnopqrstuvwxyz";
  field Msg text;
  on Go {
    set Msg = substring(AccessToken, 0, 16);
    create_item E.Send map { body.note = Msg; body.token = AccessToken; };
  }
}
instance "P-1" of P { }
)");
  f.http.respond_with(500, "note=WRONG-token-abcd token=WRONG-token-abcdefghijklmnopqrstuvwxyz");
  const auto result = f.run("P", "Go", "P-1");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("HTTP 500: note=" + kDots + " token=" + kDots + "wxyz"));
  CHECK_THAT(result.error, !Catch::Contains("abcd"));
}
