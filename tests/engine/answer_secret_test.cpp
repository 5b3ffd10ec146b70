// The secrets an answer brings (its credential-named members, what a mapping
// puts in a secret field) taint every other field the call fills with them,
// are scrubbed from the rest of the run's output, and are never quoted by a
// type error; and on_error's `error.body` is the whole body, scrubbed.
#include <algorithm>

#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"
#include "support/masked.hpp"

using flow::Json;
using flow::RunResult;
using flow::Value;
using flow::testing::EngineFixture;
using flow::testing::kDots;

namespace {

const std::string kBroughtAccess = "at-5f0c1e2d3b4a5968778695a4b3c2d1e0f";
const std::string kBroughtRefresh = "8ece1acbae966cdab6b53c4a137b09e78d08b1e62d9a7e7754dc039987321cfb";
const std::string kBroughtIdToken = "eyJhbGciOiJIUzI1NiJ9.id-token-payload.sig";

const std::string kAnswerKeeper = R"(
datasource Idp rest {
  base_url = "http://127.0.0.1:9";
  method Token POST "/oauth/token" {
    request  body form { grant_type; refresh_token; }
    response body json { access_token; token_type; expires_in; refresh_token; id_token; }
  }
  method Raw POST "/raw" { request body form { grant_type; } }
}
process K {
  field RefreshToken secret = "rt-old-0123456789abcdef";
  field AccessToken secret;
  field LastAnswer json;
  field Note text;
  field IdToken text;
  field Kind text;
  field ExpiresIn number;
  field Code text;
  field Body text;
  field Message text;
  on Keep {
    create_item Idp.Token map { body.grant_type = "refresh_token"; body.refresh_token = RefreshToken; } on_success {
      LastAnswer = body;
      Note = to_json(body);
      IdToken = body.id_token;
      Kind = body.token_type;
      AccessToken = body.access_token;
      RefreshToken = nonempty(body.refresh_token) ?? RefreshToken;
    };
    log "answer ${LastAnswer} note ${Note} id ${IdToken}";
    save;
  }
  on Slip {
    create_item Idp.Token map { body.grant_type = "refresh_token"; body.refresh_token = RefreshToken; } on_success {
      AccessToken = body.access_token;
      RefreshToken = body.refresh_token;
      ExpiresIn = body.refresh_token;
    };
    save;
  }
  on Unnamed {
    create_item Idp.Raw map { body.grant_type = "x"; } on_success { AccessToken = body.data.v; LastAnswer = body; };
    log "raw ${LastAnswer}";
    save;
  }
  on Found {
    find_item Idp.Raw map { body.grant_type = "x"; } on_success { AccessToken = body.data.v; } into LastAnswer;
    save;
  }
  on Refused {
    create_item Idp.Token map { body.grant_type = "refresh_token"; body.refresh_token = RefreshToken; } on_error {
      Code = json_get(json_parse(error.body), "error");
      Body = error.body;
      Message = error.message;
    };
    save;
  }
}
instance "K-1" of K { }
)";

std::string rotating_answer() {
  return Json{{"access_token", kBroughtAccess}, {"token_type", "Bearer"}, {"expires_in", 3600},
              {"refresh_token", kBroughtRefresh}, {"id_token", kBroughtIdToken}}
      .dump();
}

const Value& answer_field(const RunResult& result, const std::string& name) { return result.instance.fields.at(name); }

/// Every line `result` and the store's history show.
std::vector<std::string> every_shown_line(EngineFixture& f, const RunResult& result) {
  std::vector<std::string> lines(result.log.begin(), result.log.end());
  lines.push_back(result.error);
  for (const auto& run : f.store->runs("", 10)) {
    lines.insert(lines.end(), run.log.begin(), run.log.end());
    lines.push_back(run.message);
  }
  return lines;
}

void check_quoted_nowhere(const std::vector<std::string>& lines, const std::string& secret) {
  for (const auto& line : lines) {
    INFO(line);
    CHECK_THAT(line, !Catch::Contains(secret.substr(0, 12)));
  }
}

}  // namespace

TEST_CASE("a copy of the answer's tokens in a field not declared secret is tainted, and kept exact", "[secrets]") {
  EngineFixture f(kAnswerKeeper);
  f.http.respond_with(200, rotating_answer());
  const auto result = f.run("K", "Keep", "K-1");
  INFO(result.error);
  REQUIRE(result.ok);
  for (const char* name : {"LastAnswer", "Note", "IdToken"}) {
    INFO(name);
    CHECK(answer_field(result, name).secret);
    CHECK(display(answer_field(result, name)) == kDots);
    CHECK(to_json(answer_field(result, name), false) == Json(kDots));
  }
  CHECK(to_text(answer_field(result, "LastAnswer")) == Json::parse(rotating_answer()).dump());  // the real answer, kept
  CHECK(to_text(answer_field(result, "IdToken")) == kBroughtIdToken);
  CHECK_FALSE(answer_field(result, "Kind").secret);  // token_type names the token's kind: "Bearer"
  for (const auto* secret : {&kBroughtAccess, &kBroughtRefresh, &kBroughtIdToken}) check_quoted_nowhere(every_shown_line(f, result), *secret);
  const auto stored = f.store->load_instance("K-1");
  REQUIRE(stored);
  CHECK(stored->fields.at("LastAnswer").secret);
  CHECK(stored->fields.at("IdToken").secret);
}

TEST_CASE("what a mapping puts in a secret field taints the answer's copy, whatever the member's name",
          "[secrets]") {
  EngineFixture f(kAnswerKeeper);
  f.http.respond_with(200, R"({"data":{"v":"opaque-0123456789abcdef"},"n":1})");
  const auto result = f.run("K", "Unnamed", "K-1");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(answer_field(result, "LastAnswer").secret);
  check_quoted_nowhere(every_shown_line(f, result), "opaque-0123456789abcdef");
}

TEST_CASE("the answer into stores is tainted by what on_success then puts in a secret field", "[secrets]") {
  EngineFixture f(kAnswerKeeper);
  f.http.respond_with(200, R"({"data":{"v":"opaque-0123456789abcdef"},"n":1})");
  const auto result = f.run("K", "Found", "K-1");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(answer_field(result, "LastAnswer").secret);
  CHECK(f.store->load_instance("K-1")->fields.at("LastAnswer").secret);
}

TEST_CASE("an answer without credential names or secret mappings stays plain in a json field", "[secrets]") {
  EngineFixture f(kAnswerKeeper);
  f.http.respond_with(200, R"({"data":{"v":null},"order":"order-0123456789"})");
  const auto result = f.run("K", "Unnamed", "K-1");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK_FALSE(answer_field(result, "LastAnswer").secret);
  const auto lines = every_shown_line(f, result);
  CHECK(std::any_of(lines.begin(), lines.end(),
                    [](const std::string& line) { return line.find("order-0123456789") != std::string::npos; }));
}

TEST_CASE("a type slip quotes no part of the token the answer brings", "[secrets]") {
  EngineFixture f(kAnswerKeeper);
  f.http.respond_with(200, rotating_answer());
  const auto result = f.run("K", "Slip", "K-1");
  REQUIRE_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("cannot assign text " + kDots + " to number field 'ExpiresIn'"));
  check_quoted_nowhere(every_shown_line(f, result), kBroughtRefresh);
  CHECK(to_text(answer_field(result, "RefreshToken")) == kBroughtRefresh);  // the other mappings are kept
}

TEST_CASE("a type error names the kind alone of an untainted value that holds a secret the run knows",
          "[secrets]") {
  EngineFixture f(R"(
process P {
  field Token secret = "8ece1acbae966cdab6b53c4a137b09e78d08b1e62d9a7e7754dc039987321cfb";
  field Copy text = "8ece1acbae966cdab6b53c4a137b09e78d08b1e62d9a7e7754dc039987321cfb";
  field Soon text = "soon";
  field N number;
  on Copy { set N = Copy; }
  on Soon { set N = Soon; }
}
)");
  const auto copy = f.run("P", "Copy");
  REQUIRE_FALSE(copy.ok);
  CHECK_THAT(copy.error, Catch::Contains("cannot assign text to number field 'N'"));
  CHECK_THAT(copy.error, !Catch::Contains("8ece1acb"));
  const auto soon = f.run("P", "Soon");  // a harmless value is quoted as before
  CHECK_THAT(soon.error, Catch::Contains("cannot assign text \"soon\" to number field 'N'"));
}

TEST_CASE("error.body is the whole body, scrubbed; the message quotes an excerpt", "[secrets]") {
  EngineFixture f(kAnswerKeeper);
  const std::string description(300, 'd');
  f.http.respond_with(400, Json{{"error_description", description}, {"error", "invalid_grant"},
                                {"echo", "rt-old-0123456789abcdef"}}.dump());
  const auto result = f.run("K", "Refused", "K-1");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(answer_field(result, "Code") == Value("invalid_grant"));
  const auto body = to_text(answer_field(result, "Body"));
  CHECK_THAT(body, Catch::Contains(description));
  CHECK_THAT(body, !Catch::Contains("rt-old-0123456789abcdef"));
  CHECK_THAT(body, Catch::Contains("\"echo\":\"" + kDots));
  const auto message = to_text(answer_field(result, "Message"));
  CHECK(message.size() < 260);
  CHECK_THAT(message, Catch::StartsWith("HTTP 400: {"));
}
