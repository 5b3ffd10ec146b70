// What a 2xx answer a call cannot read as declared does: a form-encoded
// answer is read as its pairs, a number out of range does not cost the rest
// of the answer, a 200 that carries an OAuth2 error fails the call without
// wiping what the instance holds, the new tokens of an answer that cannot
// be read are never quoted in clear, and an OAuth2 error answer (400, 401)
// is named in the run's result.
#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"

using flow::RunResult;
using flow::Value;
using flow::testing::EngineFixture;

namespace {

constexpr const char* kKeeper = R"(
datasource Idp rest {
  base_url = "http://127.0.0.1:9";
  method Token POST "/token" {
    request body form { grant_type; refresh_token; }
    response body json { access_token; expires_in; refresh_token; }
  }
}
process K {
  field Access secret;
  field ExpiresIn number;
  field Refresh secret = env("FLOW_ANSWER_TEST_UNSET", "refresh-old-0123456789");
  on Go {
    create_item Idp.Token map { body.grant_type = "refresh_token"; body.refresh_token = Refresh; }
      on_success { Access = body.access_token; ExpiresIn = body.expires_in; Refresh = body.refresh_token; };
    save;
  }
}
)";

const Value& field(const RunResult& result, const std::string& name) { return result.instance.fields.at(name); }

}  // namespace

TEST_CASE("a form-encoded answer is read as its pairs, numbers as numbers", "[rest]") {
  EngineFixture f(kKeeper);
  f.http.respond_with(200, "access_token=gho_new%2Baccess&expires_in=3600&refresh_token=ghr_new+refresh",
                      "application/x-www-form-urlencoded; charset=utf-8");
  const auto result = f.run("K", "Go");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(field(result, "Access") == Value("gho_new+access"));
  CHECK(field(result, "ExpiresIn") == Value(3600));
  CHECK(field(result, "Refresh") == Value("ghr_new refresh"));
}

TEST_CASE("a number out of range costs its own mapping, not the rotated refresh token beside it", "[rest]") {
  EngineFixture f(kKeeper);
  f.http.respond_with(200, R"({"access_token":"at-new","expires_in":1e400,"refresh_token":"rt-new-0123456789"})");
  const auto result = f.run("K", "Go");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("1e400"));
  CHECK_THAT(result.error, !Catch::Contains("not JSON"));
  // Kept even though another mapping failed: the refresh token exists nowhere else.
  REQUIRE(result.instance.id == "K-1");
  CHECK(f.store->load_instance("K-1")->fields.at("Refresh") == Value("rt-new-0123456789"));

  SECTION("a member the file does not read is no failure at all") {
    f.http.respond_with(200, R"({"access_token":"at-2","expires_in":60,"refresh_token":"rt-2-0123456789","x":-1E999})");
    const auto second = f.run("K", "Go", "K-1");
    INFO(second.error);
    CHECK(second.ok);
    CHECK(field(second, "Refresh") == Value("rt-2-0123456789"));
  }
}

TEST_CASE("a 200 that carries an OAuth2 error fails the call and keeps the instance's values", "[rest]") {
  EngineFixture f(kKeeper);
  f.http.respond_with(200, R"({"access_token":"at-1","expires_in":3600,"refresh_token":"rt-1-0123456789"})");
  REQUIRE(f.run("K", "Go").instance.id == "K-1");
  f.http.respond_with(200, R"({"error":"invalid_grant","error_description":"Bad refresh token"})");
  const auto refused = f.run("K", "Go", "K-1");
  CHECK_FALSE(refused.ok);
  CHECK_FALSE(refused.transient);
  CHECK_THAT(refused.error, Catch::Contains("Token answered 200 with an OAuth2 error instead of the fields it "
                                            "declares: invalid_grant"));
  REQUIRE(refused.refused);
  CHECK(refused.refused->error == "invalid_grant");
  CHECK(refused.refused->token_field == "Refresh");
  const auto stored = f.store->load_instance("K-1");
  CHECK(stored->fields.at("Access") == Value("at-1"));  // not wiped with nulls
  CHECK(stored->fields.at("ExpiresIn") == Value(3600));
  CHECK(stored->fields.at("Refresh") == Value("rt-1-0123456789"));

  SECTION("an answer holding a declared field is read as it is, error member or not") {
    f.http.respond_with(200, R"({"access_token":"at-2","expires_in":60,"refresh_token":"rt-2-0123456789","error":"x"})");
    CHECK(f.run("K", "Go", "K-1").ok);
  }
}

TEST_CASE("an answer that cannot be read is quoted with its tokens masked", "[rest][secrets]") {
  EngineFixture f(kKeeper);
  f.http.respond_with(200, "<p>access_token=gho_NEWACCESS0123456789&refresh_token=ghr_NEWREFRESH0123456789</p>",
                      "text/html");
  const auto result = f.run("K", "Go");
  CHECK_FALSE(result.ok);
  INFO(result.error);
  CHECK_THAT(result.error, Catch::Contains("not JSON (Content-Type: text/html)"));
  CHECK_THAT(result.error, Catch::Contains("access_token=••••&refresh_token=••••"));
  CHECK_THAT(result.error, !Catch::Contains("NEWACCESS"));
  CHECK_THAT(result.error, !Catch::Contains("NEWREFRESH"));
  for (const auto& line : result.log) CHECK_THAT(line, !Catch::Contains("NEWREFRESH"));
}

TEST_CASE("an OAuth2 error answer is named in the run's result, with the field sent as the refresh token", "[rest]") {
  EngineFixture f(kKeeper);
  SECTION("invalid_grant, 400") {
    f.http.respond_with(400, R"({"error":"invalid_grant","error_description":"refresh token revoked"})");
    const auto result = f.run("K", "Go");
    CHECK_FALSE(result.ok);
    CHECK_FALSE(result.transient);
    REQUIRE(result.refused);
    CHECK(result.refused->error == "invalid_grant");
    CHECK(result.refused->token_field == "Refresh");  // from the map, whatever the field's name
  }
  SECTION("invalid_client, 401") {
    f.http.respond_with(401, R"({"error":"invalid_client"})");
    const auto result = f.run("K", "Go");
    REQUIRE(result.refused);
    CHECK(result.refused->error == "invalid_client");
  }
  SECTION("not an OAuth2 error answer: none") {
    for (const auto& [status, body] : std::vector<std::pair<int, std::string>>{
             {400, "invalid_grant"},                                  // not JSON, though it says the word
             {500, R"({"error":"server_error"})"},                    // not a 400 or 401
             {400, R"({"error":{"code":"invalid_grant"}})"},          // not a code
             {400, R"({"error":"invalid grant <b>refresh-old</b>"})"},  // not a word: never shown as a code
             {400, R"(["error","invalid_grant"])"}}) {
      f.http.respond_with(status, body);
      const auto result = f.run("K", "Go");
      INFO(status << " " << body);
      CHECK_FALSE(result.ok);
      CHECK_FALSE(result.refused);
    }
  }
}
