// What a request marks secret (HttpRequest::secrets): the wire value of every
// tainted part, credential headers by their name, and a header's credentials
// without their scheme; nothing else. And what a call makes of an answer that
// is not 2xx: an OAuth2 error, a redirect.
#include "engine/rest_call.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"
#include "support/masked.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

constexpr const char* kCaller = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  header "X-Api-Key" = env("FLOW_REST_CALL_TEST_UNSET", "api-key-from-env-0123");
  header "X-Trace" = "trace-plain-value-0001";
  method Tok POST "/t/{tenant}" {
    request header Auth "Authorization" = "Basic ${base64(ClientId + ":" + ClientSecret)}";
    request header Who "X-Who";
    request query { key; page; }
    request body json { refresh_token; client_id; }
  }
}
process P {
  field ClientId text = "client-1";
  field ClientSecret secret = env("FLOW_REST_CALL_TEST_UNSET", "client-secret-0123456789");
  field RefreshToken secret = env("FLOW_REST_CALL_TEST_UNSET", "refresh-token-0123456789");
  on Go {
    create_item Api.Tok map {
      path.tenant = "tenant-" + ClientSecret;
      header.Who = "who-plain-value";
      query.key = ClientSecret; query.page = "page-plain-2";
      body.refresh_token = RefreshToken; body.client_id = ClientId;
    };
  }
}
)";

bool has(const std::vector<std::string>& texts, const std::string& text) {
  return std::find(texts.begin(), texts.end(), text) != texts.end();
}

}  // namespace

TEST_CASE("a request's secrets are its tainted parts, credential headers and credentials alone", "[rest]") {
  EngineFixture f(kCaller);
  f.http.respond_with(204, "");
  REQUIRE(f.run("P", "Go").ok);
  const auto& secrets = f.http.requests.at(0).secrets;
  const std::string basic = "Y2xpZW50LTE6Y2xpZW50LXNlY3JldC0wMTIzNDU2Nzg5";  // client-1:client-secret-0123456789
  CHECK(has(secrets, "Basic " + basic));
  CHECK(has(secrets, basic));
  CHECK(has(secrets, "api-key-from-env-0123"));  // X-Api-Key: a credential by its name
  CHECK(has(secrets, "client-secret-0123456789"));
  CHECK(has(secrets, "tenant-client-secret-0123456789"));
  CHECK(has(secrets, "refresh-token-0123456789"));
  for (const auto* plain : {"trace-plain-value-0001", "who-plain-value", "page-plain-2", "client-1"}) {
    INFO(plain);
    CHECK_FALSE(has(secrets, plain));
  }
}

TEST_CASE("a base_url's secrets: values interpolated from secrets, credential query parameters, a password",
          "[rest]") {
  EngineFixture f(R"(
datasource Api rest {
  base_url = "http://user:pass-word%2B01@127.0.0.1:9/t/${TenantKey}/v1?api_key=${env("FLOW_REST_CALL_TEST_UNSET", "url-key-0123456")}&api-version=2026-01-01&page=plain-page-7";
  method Ping GET "/ping" { }
}
datasource Whole rest {
  base_url = Url;
  method Ping GET "/ping" { }
}
process P {
  field TenantKey secret = env("FLOW_REST_CALL_TEST_UNSET", "tenant-key-0123456789");
  field Url secret = env("FLOW_REST_CALL_TEST_UNSET", "http://127.0.0.1:9/hook/T0123/B4567?sig=whole-sig-0123&v=plain");
  on Go { create_item Api.Ping; create_item Whole.Ping; }
}
)");
  f.http.respond_with(204, "");
  REQUIRE(f.run("P", "Go").ok);
  const auto& secrets = f.http.requests.at(0).secrets;
  CHECK(has(secrets, "tenant-key-0123456789"));  // interpolated from a secret field
  CHECK(has(secrets, "url-key-0123456"));        // api_key: a credential by its name
  CHECK(has(secrets, "pass-word%2B01"));         // the password, as written and decoded
  CHECK(has(secrets, "pass-word+01"));
  for (const auto* plain : {"2026-01-01", "plain-page-7", "user", "/t/", "127.0.0.1"}) {
    INFO(plain);
    CHECK_FALSE(has(secrets, plain));
  }
  // A base_url secret as a whole: all of it, its path and its query values.
  const auto& whole = f.http.requests.at(1).secrets;
  CHECK(has(whole, "http://127.0.0.1:9/hook/T0123/B4567?sig=whole-sig-0123&v=plain"));
  CHECK(has(whole, "/hook/T0123/B4567"));
  CHECK(has(whole, "whole-sig-0123"));
  CHECK(f.http.requests.at(1).url == "http://127.0.0.1:9/hook/T0123/B4567/ping?sig=whole-sig-0123&v=plain");
}

TEST_CASE("a base_url that is one secret value interpolated whole is secret as a whole", "[rest]") {
  EngineFixture f(R"(
datasource Quoted rest {
  base_url = "${Url}";
  method Ping GET "/ping" { }
}
process P {
  field Url secret = env("FLOW_REST_CALL_TEST_UNSET", "http://127.0.0.1:9/hook/T0123/B4567?sig=whole-sig-0123&v=plain");
  on Go { create_item Quoted.Ping; }
}
)");
  f.http.respond_with(204, "");
  REQUIRE(f.run("P", "Go").ok);
  const auto& secrets = f.http.requests.at(0).secrets;
  CHECK(has(secrets, "http://127.0.0.1:9/hook/T0123/B4567?sig=whole-sig-0123&v=plain"));
  CHECK(has(secrets, "/hook/T0123/B4567"));
  CHECK(has(secrets, "whole-sig-0123"));
  CHECK_FALSE(has(secrets, "127.0.0.1"));
}

TEST_CASE("a base_url's fragment is never sent, nor what follows a '?' in it", "[rest]") {
  EngineFixture f(R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9/v1?v=2#top?access_token=fragment-token-0123&page=plain-page-8";
  method Ping GET "/ping" { request query { q; } }
}
process P { on Go { create_item Api.Ping map { query.q = "x"; }; } }
)");
  f.http.respond_with(204, "");
  REQUIRE(f.run("P", "Go").ok);
  CHECK(f.http.requests.at(0).url == "http://127.0.0.1:9/v1/ping?v=2&q=x");
}

TEST_CASE("query and body values named like a credential are secrets, as headers are", "[rest]") {
  EngineFixture f(R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Find GET "/find" { request query { api_key; page; } }
  method Login POST "/login" { request body form { user; password; } }
  method Sign POST "/sign" { request body json { token = "auth.token"; note; } }
}
process P {
  on Go {
    create_item Api.Find map { query.api_key = "plain-api-key-0123"; query.page = "page-two-0123"; };
    create_item Api.Login map { body.user = "alice-0123"; body.password = "plain-password-0123"; };
    create_item Api.Sign map { body.token = "plain-json-token-0123"; body.note = "plain-note-0123"; };
  }
}
)");
  for (int i = 0; i < 3; ++i) f.http.respond_with(204, "");
  REQUIRE(f.run("P", "Go").ok);
  REQUIRE(f.http.requests.size() == 3);
  CHECK(has(f.http.requests[0].secrets, "plain-api-key-0123"));
  CHECK_FALSE(has(f.http.requests[0].secrets, "page-two-0123"));
  CHECK(has(f.http.requests[1].secrets, "plain-password-0123"));
  CHECK_FALSE(has(f.http.requests[1].secrets, "alice-0123"));
  CHECK(has(f.http.requests[2].secrets, "plain-json-token-0123"));
  CHECK_FALSE(has(f.http.requests[2].secrets, "plain-note-0123"));
}

TEST_CASE("an answer echoing a credential header makes the field it is mapped into secret", "[rest]") {
  EngineFixture f(R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  header "X-Api-Key" = env("FLOW_REST_CALL_TEST_UNSET", "api-key-from-env-0123");
  method Ping GET "/ping" { response body json { echo; } }
}
process P {
  field Echo text;
  on Go { create_item Api.Ping on_success { Echo = body.echo; }; log "echo: ${Echo}"; save; }
}
)");
  f.http.respond([](const HttpRequest& request) -> HttpResult {
    const Json answer = {{"echo", "you sent " + find_header(request.headers, "X-Api-Key").value_or("")}};
    return HttpResponse{200, {}, answer.dump()};
  });
  const auto result = f.run("P", "Go");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(result.instance.fields.at("Echo").secret);
  // Echo is no secret field: its text is tainted, not a secret known whole (no tail).
  CHECK(result.log.at(1) == "echo: \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2");
  CHECK(f.store->load_instance(result.instance.id)->fields.at("Echo").secret);
}

namespace {

constexpr const char* kRedirected = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Token POST "/oauth/token" {
    request body form { client_id; refresh_token; }
    response body json { access_token; refresh_token; }
  }
}
process P {
  field RefreshToken secret = "refresh-token-0000000001";
  field Note text;
  field Status number;
  on Go {
    create_item Api.Token map { body.client_id = "c1"; body.refresh_token = RefreshToken; }
      on_success { RefreshToken = body.refresh_token; };
  }
  on Careful {
    create_item Api.Token map { body.client_id = "c1"; body.refresh_token = RefreshToken; }
      on_error { Note = error.message; Status = error.status; };
  }
}
)";

/// Answers every request with `status`, a Location (when given) and an HTML body.
void answer_moved(FakeTransport& http, int status, std::string location) {
  http.respond([status, location](const HttpRequest&) -> HttpResult {
    HttpResponse response;
    response.status = status;
    response.headers.emplace_back("Content-Type", "text/html");
    if (!location.empty()) response.headers.emplace_back("Location", location);
    response.body = "<html><body>Moved</body></html>";
    return response;
  });
}

/// The first line of a failed run's rendered error.
std::string first_error_line(const RunResult& result) { return result.error.substr(0, result.error.find('\n')); }

}  // namespace

TEST_CASE("a redirect fails the call with where it points, and is neither followed nor retried", "[call]") {
  const int status = GENERATE(301, 302, 303, 307, 308);
  EngineFixture f(kRedirected);
  answer_moved(f.http, status, "https://127.0.0.1:9/oauth/token");
  const auto result = f.run("P", "Go");
  CHECK_FALSE(result.ok);
  CHECK_FALSE(result.transient);
  CHECK(first_error_line(result) == "test.flow:14:5: error: create_item Api.Token failed: HTTP " + std::to_string(status) +
                                  ": redirected to https://127.0.0.1:9/oauth/token; flow does not follow redirects: "
                                  "set base_url (or the method's path) to it");
  CHECK(f.http.requests.size() == 1);
}

TEST_CASE("a relative Location is shown made absolute against the request's URL, to set as base_url", "[call]") {
  const auto [location, absolute] = GENERATE(table<std::string, std::string>({
      {"/v2/token", "http://127.0.0.1:9/v2/token"},
      {"token2", "http://127.0.0.1:9/oauth/token2"},
      {"../v2/token?x=1", "http://127.0.0.1:9/v2/token?x=1"},
      {"//login.example.com/oauth/token", "http://login.example.com/oauth/token"},
      {"?tenant=2", "http://127.0.0.1:9/oauth/token?tenant=2"},
  }));
  EngineFixture f(kRedirected);
  answer_moved(f.http, 308, location);
  const auto result = f.run("P", "Careful");
  REQUIRE(result.ok);
  CHECK(to_text(result.instance.fields.at("Note")) ==
        "HTTP 308: redirected to " + absolute + "; flow does not follow redirects: set base_url (or the method's "
        "path) to it");
}

TEST_CASE("a redirect's Location is scrubbed of the secrets the request sent, as a body is", "[call][secrets]") {
  EngineFixture f(kRedirected);
  answer_moved(f.http, 302, "https://login.example.com/oauth/token?refresh_token=refresh-token-0000000001&x=1");
  const auto result = f.run("P", "Careful");
  REQUIRE(result.ok);
  CHECK(result.instance.fields.at("Status") == Value(302));
  CHECK(to_text(result.instance.fields.at("Note")) ==
        "HTTP 302: redirected to https://login.example.com/oauth/token?refresh_token=" + kDots +
            "0001&x=1; flow does not follow redirects: set base_url (or the method's path) to it");
}

TEST_CASE("a Location made absolute against a request URL that carried secrets shows none of them", "[call][secrets]") {
  // The API key from env() in the base_url's query (masked by its name), the
  // secret field in the path and in a query parameter (masked as tainted).
  EngineFixture f(R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9/v1?api_key=${env("FLOW_REST_CALL_TEST_UNSET", "env-api-key-0123456789")}";
  method Items GET "/items/{tenant}" { request query { key; } }
}
process P {
  field Secret secret = "secret-value-0123456789";
  field Note text;
  on Go {
    create_item Api.Items map { path.tenant = Secret; query.key = Secret; } on_error { Note = error.message; };
  }
}
)");
  const auto [location, shown] = GENERATE(table<std::string, std::string>({
      {"?a=b", "http://127.0.0.1:9/v1/items/" + kDots + "6789?a=b"},
      {"#top", "http://127.0.0.1:9/v1/items/" + kDots + "6789?api_key=" + kDots + "&key=" + kDots + "6789#top"},
      {"?key=secret-value-0123456789", "http://127.0.0.1:9/v1/items/" + kDots + "6789?key=" + kDots + "6789"},
  }));
  answer_moved(f.http, 307, location);
  const auto result = f.run("P", "Go");
  INFO(result.error);
  REQUIRE(result.ok);
  REQUIRE(f.http.requests.at(0).url == "http://127.0.0.1:9/v1/items/secret-value-0123456789"
                                        "?api_key=env-api-key-0123456789&key=secret-value-0123456789");
  CHECK(to_text(result.instance.fields.at("Note")) ==
        "HTTP 307: redirected to " + shown +
            "; flow does not follow redirects: set base_url (or the method's path) to it");
}

TEST_CASE("a redirect status without a Location, and other statuses, show the body as before", "[call]") {
  EngineFixture f(kRedirected);
  const int status = GENERATE(301, 300, 404);
  answer_moved(f.http, status, status == 301 ? "" : "https://127.0.0.1:9/elsewhere");
  const auto result = f.run("P", "Careful");
  REQUIRE(result.ok);
  CHECK(to_text(result.instance.fields.at("Note")) ==
        "HTTP " + std::to_string(status) + ": <html><body>Moved</body></html>");
}

TEST_CASE("a run refuses the method paths flow check refuses, with the same message", "[path][interpreter]") {
  EngineFixture f(R"(
datasource D rest {
  base_url = "http://127.0.0.1:9/api";
  method NoSlash GET "orders" { }
  method Unclosed GET "/orders/{id" { }
  method Root GET "" { }
}
process P {
  on NoSlash { create_item D.NoSlash; }
  on Unclosed { create_item D.Unclosed; }
  on Root { create_item D.Root; }
}
)");
  f.http.respond_with(200, "{}");
  CHECK_THAT(f.run("P", "NoSlash").error,
             Catch::StartsWith("test.flow:9:16: error: create_item D.NoSlash: a method path starts with '/': "
                               "\"orders\" is appended to base_url's path as written (write \"/orders\")\n"));
  CHECK_THAT(f.run("P", "Unclosed").error,
             Catch::StartsWith("test.flow:10:17: error: create_item D.Unclosed: unclosed '{' in method path "
                               "\"/orders/{id\": a path parameter is written {name}\n"));
  CHECK(f.http.requests.empty());
  const auto root = f.run("P", "Root");
  INFO(root.error);
  REQUIRE(root.ok);
  CHECK(f.http.requests.at(0).url == "http://127.0.0.1:9/api");
}

TEST_CASE("an error body is shortened to 200 bytes before a character the limit falls in", "[rest]") {
  EngineFixture f(kCaller);
  const std::string ascii(199, 'a');
  f.http.respond_with(500, ascii + "\xe2\x82\xac more", "text/plain");  // the euro sign spans bytes 200-202
  const auto result = f.run("P", "Go");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("failed: HTTP 500: " + ascii + "...\n"));
}

TEST_CASE("an invalid URL is quoted as built, secrets masked, and blames the base_url when the fault is there",
          "[rest]") {
  const auto failure = [](const std::string& base_url, const std::string& url_path, const std::string& why) {
    EngineFixture f(R"(datasource Api rest {
  base_url = ")" + base_url + R"(";
  method Get GET "/items" { }
}
process P { on Go { find_item Api.Get map { urlPath = ")" + url_path + R"("; }; } })");
    // The transport's own words (engine/http/url.cpp): this fake has no parser.
    f.http.respond([why](const HttpRequest&) -> HttpResult { return HttpError{HttpErrorKind::invalid_url, why}; });
    const auto result = f.run("P", "Go");
    CHECK_FALSE(result.ok);
    return result.error;
  };
  const auto host = failure("http://:9/v1?api_key=key-0123456789abcdef", "x", "invalid URL: missing host");
  CHECK_THAT(host, Catch::Contains("Api.Get failed: invalid_url: invalid URL: missing host, in \"http://:9/v1/items/x?"
                                   "api_key=" + std::string(kSecretMask) + "\" (the fault is in the base_url of "
                                   "datasource Api)\n"));
  CHECK_THAT(host, !Catch::Contains("key-0123456789abcdef"));
  // A space urlPath brought: the base_url is not at fault, nor named.
  const auto space = failure("http://127.0.0.1:9", "a b", "invalid URL: contains spaces or control characters");
  CHECK_THAT(space, Catch::Contains("invalid URL: contains spaces or control characters, in "
                                    "\"http://127.0.0.1:9/items/a b\"\n"));
  // One the base_url brought is.
  const auto spaced_base = failure("http://127.0.0.1:9/a b", "x", "invalid URL: contains spaces or control characters");
  CHECK_THAT(spaced_base, Catch::Contains("/a b/items/x\" (the fault is in the base_url of datasource Api)\n"));
}

TEST_CASE("a base_url of only a scheme gives the method's path no host to be taken for", "[rest]") {
  const std::string scheme = GENERATE("http://", "https://", "http:///");
  EngineFixture f(R"(datasource Api rest {
  base_url = env("FLOW_REST_CALL_TEST_UNSET", ")" + scheme + R"(");
  method Get GET "/items/{id}" { }
}
process P { on Go { find_item Api.Get map { path.id = "x"; }; } })");
  // The transport's own words (engine/http/url.cpp) for a URL with no host.
  f.http.respond([](const HttpRequest&) -> HttpResult {
    return HttpError{HttpErrorKind::invalid_url, "invalid URL: missing host"};
  });
  const auto result = f.run("P", "Go");
  REQUIRE(f.http.requests.size() == 1);
  const std::string url = scheme.substr(0, scheme.find(':')) + ":///items/x";
  CHECK(f.http.requests[0].url == url);
  CHECK_THAT(result.error, Catch::Contains("Api.Get failed: invalid_url: invalid URL: missing host, in \"" + url +
                                           "\" (the fault is in the base_url of datasource Api)\n"));
}
