// The interpreter against a fake transport, a real SQLite store and the fake clock.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "support/broken_function.hpp"
#include "support/engine_fixture.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

std::string read_example(const std::string& name) {
  std::ifstream in(std::string(FLOW_SOURCE_DIR) + "/examples/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void set_seed_env() {
  ::setenv("TOKEN_BASE_URL", "http://127.0.0.1:9", 1);
  ::setenv("CLIENT_ID", "client-1", 1);
  ::setenv("CLIENT_SECRET", "client-secret-value-1234", 1);
  ::setenv("REFRESH_TOKEN", "refresh-token-0000000001", 1);
}

std::string token_answer(const std::string& access, const std::string& refresh) {
  return R"({"access_token":")" + access + R"(","token_type":"Bearer","expires_in":3600,"refresh_token":")" +
         refresh + R"(","created_at":1700000000})";
}

std::string form_value(const HttpRequest& request, const std::string& name) {
  for (const auto& [k, v] : parse_form(request.body))
    if (k == name) return v;
  return "<absent>";
}

constexpr const char* kMini = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9/base/";
  method Token POST "/token/{tenant}" {
    request header Auth "Authorization";
    request query { scope; }
    request body json { client_id = "client.id"; grant; }
    response header Location "Location";
    response body json { token = "data.token"; count; }
  }
}
process P {
  field Token  secret;
  field Count  number;
  field Where  text;
  field Status number;
  field Note   text;
  field Tenant text = "acme";
  on Go {
    create_item Api.Token map {
      path.tenant = Tenant;
      urlPath = "extra";
      header.Auth = "Basic abc";
      query.scope = "read write";
      body.client_id = "c1";
      body.grant = "client_credentials";
    } on_success {
      Token = body.token;
      Count = body.count;
      Where = header.Location;
      Status = status;
    } on_error {
      Note = error.message;
      Status = error.status;
    };
  }
}
)";

}  // namespace

TEST_CASE("the seed Refresh handler calls the token method and maps the answer back", "[interpreter]") {
  set_seed_env();
  EngineFixture f(read_example("token_refresh.flow"));
  f.http.respond_with(200, token_answer("access-token-value-00001", "refresh-token-0000000002"));

  const auto result = f.run("TokenKeeper", "Refresh", "TK-1");
  INFO(result.error);
  REQUIRE(result.ok);
  REQUIRE(f.http.requests.size() == 1);
  const auto& request = f.http.requests[0];
  CHECK(request.method == "POST");
  CHECK(request.url == "http://127.0.0.1:9/oauth/token");
  CHECK(form_value(request, "grant_type") == "refresh_token");
  CHECK(form_value(request, "client_id") == "client-1");
  CHECK(form_value(request, "client_secret") == "client-secret-value-1234");
  CHECK(form_value(request, "redirect_url") == "https://app.example.com/callback");
  CHECK(form_value(request, "refresh_token") == "refresh-token-0000000001");

  const auto stored = f.store->load_instance("TK-1");
  REQUIRE(stored);
  CHECK(stored->revision >= 1);
  CHECK(to_text(stored->fields.at("AccessToken")) == "access-token-value-00001");
  CHECK(stored->fields.at("AccessToken").secret);
  CHECK(to_text(stored->fields.at("RefreshToken")) == "refresh-token-0000000002");
  CHECK(stored->fields.at("ExpiresIn") == Value(3600));
  CHECK(stored->fields.at("CreatedAt") == Value(test_epoch()));
}

TEST_CASE("the next refresh uses the rotated refresh token", "[interpreter]") {
  set_seed_env();
  EngineFixture f(read_example("token_refresh.flow"));
  int n = 0;
  f.http.respond([&](const HttpRequest& request) -> HttpResult {
    CHECK(form_value(request, "refresh_token") == "refresh-token-000000000" + std::to_string(n + 1));
    ++n;
    return HttpResponse{200, {}, token_answer("access-" + std::to_string(n), "refresh-token-000000000" + std::to_string(n + 1))};
  });
  for (int i = 0; i < 3; ++i) REQUIRE(f.run("TokenKeeper", "Refresh", "TK-1").ok);
  CHECK(n == 3);
  CHECK(to_text(f.store->load_instance("TK-1")->fields.at("RefreshToken")) == "refresh-token-0000000004");
}

TEST_CASE("the user's angle-bracket example runs as written", "[interpreter]") {
  EngineFixture f(R"(
datasource RestService rest {
  base_url = "http://127.0.0.1:9";
  method GetRefreshAuthToken POST "/oauth/token" {
    request body form { client_id; }
    response body json { access_token; }
  }
}
process TokenKeeper {
  field ClientId text = "abc";
  field AccessToken secret = "old";
  on Refresh < set AccessToken = ""; create_item RestService.GetRefreshAuthToken map < body.client_id = ClientId; >; save >
}
)");
  f.http.respond_with(200, R"({"access_token":"ignored"})");
  const auto result = f.run("TokenKeeper", "Refresh");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(form_value(f.http.requests.at(0), "client_id") == "abc");
  CHECK(result.saved);
  CHECK(result.instance.id == "TokenKeeper-1");
  CHECK(to_text(result.instance.fields.at("AccessToken")) == "");
}

TEST_CASE("path parameters, urlPath, query, headers and JSON bodies reach the request", "[interpreter]") {
  EngineFixture f(kMini);
  f.http.respond([](const HttpRequest&) -> HttpResult {
    return HttpResponse{201, {{"Location", "/items/7"}}, R"({"data":{"token":"tok-123456789012345"},"count":"4"})"};
  });
  const auto result = f.run("P", "Go");
  INFO(result.error);
  REQUIRE(result.ok);
  const auto& request = f.http.requests.at(0);
  CHECK(request.url == "http://127.0.0.1:9/base/token/acme/extra?scope=read%20write");
  CHECK(Json::parse(request.body) == Json::parse(R"({"client":{"id":"c1"},"grant":"client_credentials"})"));
  CHECK(std::count(request.headers.begin(), request.headers.end(),
                   std::pair<std::string, std::string>("Authorization", "Basic abc")) == 1);
  CHECK(std::count(request.headers.begin(), request.headers.end(),
                   std::pair<std::string, std::string>("Content-Type", "application/json")) == 1);
  CHECK(to_text(result.instance.fields.at("Token")) == "tok-123456789012345");
  CHECK(result.instance.fields.at("Count") == Value(4));
  CHECK(to_text(result.instance.fields.at("Where")) == "/items/7");
  CHECK(result.instance.fields.at("Status") == Value(201));
}

TEST_CASE("a non-2xx answer goes to on_error when there is one", "[interpreter]") {
  EngineFixture f(kMini);
  f.http.respond_with(400, R"({"error":"invalid_grant"})");
  const auto result = f.run("P", "Go");
  REQUIRE(result.ok);
  CHECK(result.instance.fields.at("Status") == Value(400));
  CHECK(to_text(result.instance.fields.at("Note")) == R"(HTTP 400: {"error":"invalid_grant"})");
}

TEST_CASE("a failing call without on_error fails the run at the rule", "[interpreter]") {
  set_seed_env();
  EngineFixture f(read_example("token_refresh.flow"));
  f.http.respond_with(400, R"({"error":"invalid_grant"})");
  const auto result = f.run("TokenKeeper", "Refresh", "TK-1");
  CHECK_FALSE(result.ok);
  CHECK_FALSE(result.transient);
  CHECK(result.error ==
        "test.flow:33:5: error: create_item RestService.GetRefreshAuthToken failed: HTTP 400: "
        "{\"error\":\"invalid_grant\"}\n"
        "      create_item RestService.GetRefreshAuthToken map {       // 2. Create Item\n"
        "      ^\n"
        "  in TokenKeeper.Refresh (test.flow:31:3)\n");
  // Nothing was saved, and the refresh token the provider refused is still there.
  CHECK(to_text(f.store->load_instance("TK-1")->fields.at("RefreshToken")) == "refresh-token-0000000001");
}

TEST_CASE("transport errors and 5xx are transient, and marked so", "[interpreter]") {
  set_seed_env();
  EngineFixture f(read_example("token_refresh.flow"));
  f.http.respond([](const HttpRequest&) -> HttpResult { return HttpError{HttpErrorKind::refused, "connection refused"}; });
  auto result = f.run("TokenKeeper", "Refresh", "TK-1");
  CHECK_FALSE(result.ok);
  CHECK(result.transient);
  CHECK_THAT(result.error, Catch::Contains("failed: refused: connection refused"));
  f.http.respond_with(503, "busy", "text/plain");
  result = f.run("TokenKeeper", "Refresh", "TK-1");
  CHECK(result.transient);
}

TEST_CASE("an answer that is not JSON fails the call", "[interpreter]") {
  set_seed_env();
  EngineFixture f(read_example("token_refresh.flow"));
  f.http.respond_with(200, "<html>oops</html>", "text/html");
  const auto result = f.run("TokenKeeper", "Refresh", "TK-1");
  CHECK_FALSE(result.ok);
  // What came back, as an error status shows it: its Content-Type and the body.
  CHECK_THAT(result.error, Catch::Contains("GetRefreshAuthToken answered with a body that is not JSON (Content-Type: "
                                           "text/html): <html>oops</html>"));
  // A body that echoes the request's secret shows its mask.
  f.http.respond_with(200, "bad client_secret " + std::string(std::getenv("CLIENT_SECRET")), "text/plain");
  const auto echoed = f.run("TokenKeeper", "Refresh", "TK-1");
  CHECK_THAT(echoed.error, Catch::Contains("not JSON (Content-Type: text/plain): bad client_secret ••••"));
  CHECK_THAT(echoed.error, !Catch::Contains(std::getenv("CLIENT_SECRET")));
}

TEST_CASE("a JSON answer with bytes after it keeps the rotated token, then fails the run", "[interpreter]") {
  set_seed_env();
  EngineFixture f(read_example("token_refresh.flow"));
  // The provider has spent the old refresh token: refusing the whole answer
  // would lose the new one. What the JSON maps is kept; the run still fails.
  f.http.respond_with(200, R"({"access_token":"a","refresh_token":"rt-rotated-000000002","expires_in":60}<html>)");
  const auto result = f.run("TokenKeeper", "Refresh", "TK-1");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("GetRefreshAuthToken answered with 6 bytes after its JSON body"));
  const auto stored = f.store->load_instance("TK-1");
  REQUIRE(stored);
  CHECK(to_text(stored->fields.at("RefreshToken")) == "rt-rotated-000000002");
  CHECK(stored->fields.at("ExpiresIn") == Value(60));
  CHECK_THAT(result.log.back(), Catch::Contains("kept what") && Catch::Contains("RefreshToken"));

  // Spaces after the JSON are no fault; anything that is not JSON at the start still is.
  f.http.respond_with(200, "{\"access_token\":\"b\",\"refresh_token\":\"rt-rotated-000000003\"} \r\n");
  CHECK(f.run("TokenKeeper", "Refresh", "TK-1").ok);
  f.http.respond_with(200, R"(oops{"refresh_token":"rt-rotated-000000004"})");
  CHECK_THAT(f.run("TokenKeeper", "Refresh", "TK-1").error, Catch::Contains("a body that is not JSON"));
  CHECK(to_text(f.store->load_instance("TK-1")->fields.at("RefreshToken")) == "rt-rotated-000000003");
}

TEST_CASE("a missing response field is null, so ?? keeps the old value", "[interpreter]") {
  set_seed_env();
  EngineFixture f(read_example("token_refresh.flow"));
  f.http.respond_with(200, R"({"access_token":"access-token-value-00009","expires_in":60})");
  const auto result = f.run("TokenKeeper", "Refresh", "TK-1");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(to_text(result.instance.fields.at("RefreshToken")) == "refresh-token-0000000001");
  CHECK(result.instance.fields.at("ExpiresIn") == Value(60));
}

TEST_CASE("a wrong type in a response fails with the field named and keeps the rotated token", "[interpreter]") {
  set_seed_env();
  EngineFixture f(read_example("token_refresh.flow"));
  f.http.respond_with(200, R"({"access_token":"a","refresh_token":"rt-rotated-000000002","expires_in":"soon"})");
  const auto result = f.run("TokenKeeper", "Refresh", "TK-1");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("cannot assign text \"soon\" to number field 'ExpiresIn'"));
  // The call succeeded and the provider has spent the old refresh token: the
  // mappings that could be made are kept although the one after them failed.
  const auto stored = f.store->load_instance("TK-1");
  REQUIRE(stored);
  CHECK(to_text(stored->fields.at("RefreshToken")) == "rt-rotated-000000002");
  CHECK(to_text(stored->fields.at("AccessToken")) == "a");
  CHECK(stored->fields.at("CreatedAt").is<TimePoint>());  // mapped after the failing one
  CHECK(stored->fields.at("ExpiresIn").is_null());
  CHECK(result.log.back() == "create_item RestService.GetRefreshAuthToken: a mapping failed; kept the ones that "
                             "worked: AccessToken, CreatedAt, RefreshToken");
}

TEST_CASE("a mapping whose expression fails does not keep the others from being kept", "[interpreter]") {
  EngineFixture f(R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Refresh POST "/t" { response body json { refresh_token; expires_in; } }
}
process K {
  field RefreshToken secret = "rt-0000000000000001";
  field Expires datetime;
  on Go {
    create_item Api.Refresh map { } on_success {
      Expires = now() + seconds(body.expires_in);
      RefreshToken = body.refresh_token;
    };
    save;
  }
}
instance "K-1" of K { }
)");
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000002","expires_in":[1]})");
  const auto result = f.run("K", "Go", "K-1");
  CHECK_FALSE(result.ok);
  const auto stored = f.store->load_instance("K-1");
  REQUIRE(stored);
  CHECK(to_text(stored->fields.at("RefreshToken")) == "rt-0000000000000002");
}

TEST_CASE("a rotated refresh token survives a later failing rule", "[interpreter]") {
  EngineFixture f(R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Refresh POST "/t" { request body form { rt; } response body json { refresh_token; } }
}
process K {
  field RefreshToken secret = "rt-0000000000000001";
  field Other text;
  on Go {
    create_item Api.Refresh map { body.rt = RefreshToken; } on_success { RefreshToken = body.refresh_token; };
    set Other = "changed";
    fail "something after the call went wrong";
    save;
  }
}
instance "K-1" of K { }
)");
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000002"})");
  const auto result = f.run("K", "Go", "K-1");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("something after the call went wrong"));
  const auto stored = f.store->load_instance("K-1");
  REQUIRE(stored);
  CHECK(to_text(stored->fields.at("RefreshToken")) == "rt-0000000000000002");
  CHECK(stored->fields.at("RefreshToken").secret);
  // Only what the call mapped is kept; the rest of the failed run is not saved.
  CHECK(stored->fields.at("Other").is_null());
}

TEST_CASE("a checkpoint stamps the run's instance as the store has it", "[interpreter]") {
  EngineFixture f(R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Refresh POST "/t" { request body form { rt; } response body json { refresh_token; } }
}
process K {
  field RefreshToken secret = "rt-0000000000000001";
  on Go {
    create_item Api.Refresh map { body.rt = RefreshToken; } on_success { RefreshToken = body.refresh_token; };
  }
}
instance "K-1" of K { }
)");
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000002"})");
  // A new instance, written only by the checkpoint: no `save`.
  const auto fresh = f.run("K", "Go");
  REQUIRE(fresh.ok);
  CHECK_FALSE(fresh.saved);
  const auto stored = f.store->load_instance(fresh.instance.id);
  REQUIRE(stored);
  CHECK(fresh.instance.revision == stored->revision);
  CHECK(fresh.instance.created == stored->created);
  CHECK(fresh.instance.modified == stored->modified);
  CHECK(fresh.instance.modified == f.clock.now());

  // A stored one keeps its creation and is modified now.
  f.run("K", "Go", "K-1");
  const auto created = f.store->load_instance("K-1")->created;
  f.clock.advance_by(std::chrono::minutes(5));
  const auto again = f.run("K", "Go", "K-1");
  REQUIRE(again.ok);
  CHECK(again.instance.created == created);
  CHECK(again.instance.modified == f.clock.now());
  CHECK(again.instance.modified == f.store->load_instance("K-1")->modified);
}

TEST_CASE("log masks secrets inside interpolated text and in the history", "[interpreter]") {
  EngineFixture f(R"(
process S {
  field Token secret = "super-secret-token-abcd";
  field Name text = "n";
  on Go {
    log "token ${Token} for ${Name}";
    log Token + "!";
    save;
  }
}
)");
  const auto result = f.run("S", "Go");
  REQUIRE(result.ok);
  REQUIRE(result.log.size() >= 2);
  CHECK(result.log[0] == "token \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" "abcd for n");
  CHECK(result.log[1].find("super-secret") == std::string::npos);
  for (const auto& run : f.store->runs("", 10))
    for (const auto& line : run.log) CHECK(line.find("super-secret") == std::string::npos);
}

TEST_CASE("--show-secrets reveals secrets in the run log but never in history", "[interpreter]") {
  EngineFixture f(R"(
process S {
  field Token secret = "super-secret-token-abcd";
  on Go { log "token ${Token}"; }
}
)",
                  RunOptions{true});
  const auto result = f.run("S", "Go");
  CHECK(result.log.at(0) == "token super-secret-token-abcd");
  const auto runs = f.store->runs("", 10);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].log.at(0).find("super-secret") == std::string::npos);
}

TEST_CASE("if, validate, trigger and change handlers", "[interpreter]") {
  EngineFixture f(R"(
process C {
  field N number = 1;
  field Seen number = 0;
  field Out text;
  on Go {
    if N > 0 { set Out = "positive"; } else { set Out = "other"; }
    trigger Bump;
    validate N < 10 else "N too large: ${N}";
  }
  on Bump { set N = N + 20; }
  on change N { set Seen = Seen + 1; }
}
)");
  const auto result = f.run("C", "Go");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("error: N too large: 21"));
  CHECK(result.instance.fields.at("Out") == Value("positive"));
  CHECK(result.instance.fields.at("Seen") == Value(1));
}

TEST_CASE("an unknown Process ID is a clear run error", "[interpreter]") {
  EngineFixture f("process P { field A text; on Go { save; } }");
  const auto result = f.run("P", "Go", "nope");
  CHECK_FALSE(result.ok);
  CHECK(result.error == "error: no instance of P with Process ID 'nope'\n");
}

TEST_CASE("a run whose instance cannot be seeded still names its process and Process ID", "[interpreter]") {
  ::unsetenv("FLOW_TEST_NEVER_SET");
  EngineFixture f(R"(
process TokenKeeper { field ClientId text; on Refresh { save; } }
instance "TK-1" of TokenKeeper { ClientId = env("FLOW_TEST_NEVER_SET"); }
)");
  CHECK(f.interpreter->seed_instances().size() == 1);
  const auto result = f.run("TokenKeeper", "Refresh", "TK-1");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("environment variable FLOW_TEST_NEVER_SET is not set"));
  CHECK(result.instance.process == "TokenKeeper");
  CHECK(result.instance.id == "TK-1");
  const auto history = f.store->runs("", 1);
  REQUIRE(history.size() == 1);
  CHECK(history[0].instance_id == "TK-1");
  // A new instance that fails before it has an ID is (new), of its process.
  const auto fresh = f.run("TokenKeeper", "Nope");
  CHECK(fresh.instance.process == "TokenKeeper");
  CHECK(fresh.instance.id.empty());
}

TEST_CASE("instance(\"ID\").Field reads another saved instance", "[interpreter]") {
  EngineFixture f(R"(
process A { field Token secret; on Init { set Token = "token-from-a-1234567890"; save; } }
process B { field Copy secret; on Go { set Copy = instance("A-1").Token; save; } }
instance "A-1" of A { }
)");
  REQUIRE(f.run("A", "Init", "A-1").ok);
  const auto result = f.run("B", "Go");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(to_text(result.instance.fields.at("Copy")) == "token-from-a-1234567890");
}

TEST_CASE("a start cycle between two instances fails at once instead of waiting for ever", "[interpreter]") {
  EngineFixture f(R"(
process A { field X number = 0; on Go { start B id "b1" map { Y = 1; } trigger Go on_success { X = Y; }; save; } }
process B { field Y number = 0; on Go { start A id "a1" map { X = 2; } trigger Go on_success { Y = X; }; save; } }
instance "a1" of A { }
instance "b1" of B { }
)");
  const auto result = f.run("A", "Go", "a1");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("start of a1 would wait for itself") &&
                               Catch::Contains("running further up this chain of starts"));
  // The locks were released: the instances run again.
  CHECK_FALSE(f.run("B", "Go", "b1").ok);
}

TEST_CASE("a secret a server echoes back is secret in the field it is mapped into", "[interpreter]") {
  EngineFixture f(R"(
datasource E rest {
  base_url = "http://127.0.0.1:9";
  method Ok GET "/ok" { request query { t; } response body json { path; doc; } }
}
process P {
  field Tok secret = "abcdefghijklmnop1234";
  field Out text;
  field Doc json;
  field Plain text;
  on Echo {
    create_item E.Ok map { query.t = Tok; } on_success { Out = body.path; Doc = body.doc; Plain = "fine"; };
    save;
  }
}
instance "P-1" of P { }
)");
  f.http.respond_with(200, R"({"path":"/ok?t=abcdefghijklmnop1234","doc":{"echo":"abcdefghijklmnop1234"}})");
  const auto result = f.run("P", "Echo", "P-1");
  REQUIRE(result.ok);
  CHECK(result.instance.fields.at("Out").secret);
  CHECK(result.instance.fields.at("Doc").secret);
  CHECK_FALSE(result.instance.fields.at("Plain").secret);
  CHECK(display(result.instance.fields.at("Out")).find("abcdefghijklmnop") == std::string::npos);
  const auto stored = f.store->load_instance("P-1");
  REQUIRE(stored);
  CHECK(stored->fields.at("Out").secret);  // and it stays secret in the store
  CHECK(to_text(stored->fields.at("Out")) == "/ok?t=abcdefghijklmnop1234");
}

TEST_CASE("save refuses an instance whose required field is empty", "[interpreter]") {
  EngineFixture f(R"(
process R {
  field Name text required;
  field Count number required = 1;
  on Fill { set Name = "n"; save; }
  on Empty { set Name = ""; save; }
  on Clear { clear Count; save; }
}
instance "R-1" of R { Name = "first"; }
)");
  REQUIRE(f.run("R", "Fill", "R-1").ok);
  auto result = f.run("R", "Empty", "R-1");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("cannot save: required field 'Name' is empty"));
  result = f.run("R", "Clear", "R-1");
  CHECK_THAT(result.error, Catch::Contains("required field 'Count'"));
  const auto stored = f.store->load_instance("R-1");
  REQUIRE(stored);
  CHECK(to_text(stored->fields.at("Name")) == "n");  // neither failed save wrote anything
  CHECK(stored->fields.at("Count") == Value(1));
}

TEST_CASE("an error body that echoes the form-encoded request shows no secret", "[interpreter]") {
  set_seed_env();
  ::setenv("CLIENT_SECRET", "Sx+8/kQ=secret+value/with=chars", 1);
  EngineFixture f(read_example("token_refresh.flow"));
  f.http.respond_with(500, "you sent: client_secret=Sx%2B8%2FkQ%3Dsecret%2Bvalue%2Fwith%3Dchars&grant_type=refresh_token");
  const auto result = f.run("TokenKeeper", "Refresh", "TK-1");
  set_seed_env();
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("HTTP 500"));
  CHECK(result.error.find("Sx%2B8") == std::string::npos);
  for (const auto& line : result.log) CHECK(line.find("Sx%2B8") == std::string::npos);
  for (const auto& run : f.store->runs("", 10)) CHECK(run.message.find("Sx%2B8") == std::string::npos);
}

namespace {

constexpr const char* kBrokenAfterCall = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Refresh POST "/t" { request body form { rt; } response body json { refresh_token; } }
}
process K {
  field RefreshToken secret = "rt-0000000000000001";
  field Note text;
  on Go {
    create_item Api.Refresh map { body.rt = RefreshToken; } on_success { RefreshToken = body.refresh_token; };
    set Note = broken();
    save;
  }
}
instance "K-1" of K { }
)";

}  // namespace

TEST_CASE("an exception that is no run error fails the run at its rule, keeping what was committed", "[interpreter]") {
  EngineFixture f(kBrokenAfterCall);
  add_broken_function(f.functions);
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000002"})");
  const auto result = f.run("K", "Go", "K-1");
  CHECK_FALSE(result.ok);
  CHECK_FALSE(result.transient);
  CHECK(result.error ==
        "test.flow:11:5: error: internal error: broken() reached a state it cannot be in\n"
        "      set Note = broken();\n"
        "      ^\n"
        "  in K.Go (test.flow:9:3)\n");
  const auto stored = f.store->load_instance("K-1");
  CHECK(to_text(stored->fields.at("RefreshToken")) == "rt-0000000000000002");  // the call's checkpoint
  const auto runs = f.store->runs("", 10);
  REQUIRE(runs.size() == 1);
  CHECK_FALSE(runs[0].ok);
  CHECK_THAT(runs[0].message, Catch::Contains("internal error: broken()"));

  // The instance's lock went with the run: the next one runs (and sends the rotated token).
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000003"})");
  CHECK_THAT(f.run("K", "Go", "K-1").error, Catch::Contains("internal error"));
  CHECK(form_value(f.http.requests.back(), "rt") == "rt-0000000000000002");
}
