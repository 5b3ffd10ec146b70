// proxy_for's choice of proxy, plain http through a forward proxy, and what a
// CONNECT answer may hold before its 200.
#include "engine/http/proxy.hpp"

#include <catch2/catch.hpp>

#include "engine/http/exchange.hpp"
#include "http/client_fixture.hpp"

namespace flow::http {
namespace {

Url url(std::string_view text) { return std::get<Url>(parse_url(text)); }

bool proxied(std::string_view target, const std::string& no_proxy, const std::string& proxy = "127.0.0.1:3128") {
  return std::holds_alternative<Url>(proxy_for(url(target), proxy, proxy, no_proxy));
}

}  // namespace

TEST_CASE("proxy_for: HTTPS_PROXY for https, HTTP_PROXY for http, only when configured") {
  CHECK(proxied("https://api.example.com/", ""));
  CHECK(proxied("http://api.example.com/", ""));
  CHECK_FALSE(proxied("https://api.example.com/", "", ""));
  auto proxy = std::get<Url>(proxy_for(url("https://a.example/"), "http://proxy.local:8080", "", ""));
  CHECK(proxy.host == "proxy.local");
  CHECK(proxy.port == 8080);
  CHECK(std::holds_alternative<std::monostate>(proxy_for(url("http://a.example/"), "http://proxy.local:8080", "", "")));
  proxy = std::get<Url>(proxy_for(url("http://a.example/"), "", "proxy.local:3128", ""));
  CHECK(proxy.port == 3128);
}

TEST_CASE("proxy_for: plain http to a loopback host always goes direct") {
  for (auto target : {"http://127.0.0.1:8089/", "http://127.1.2.3/", "http://[::1]:8089/", "http://localhost/",
                      "http://auth.localhost/"}) {
    INFO(target);
    CHECK_FALSE(proxied(target, ""));
  }
  CHECK(proxied("https://127.0.0.1:8443/", ""));  // TLS checks the server end to end through a tunnel
}

TEST_CASE("proxy_for: NO_PROXY entries") {
  CHECK_FALSE(proxied("https://api.example.com/", "*"));
  CHECK_FALSE(proxied("https://api.example.com/", "example.com"));
  CHECK_FALSE(proxied("https://api.example.com/", ".example.com"));
  CHECK_FALSE(proxied("https://example.com/", "other.org, example.com"));
  CHECK(proxied("https://badexample.com/", "example.com"));
  CHECK_FALSE(proxied("https://127.0.0.1:8443/", "127.0.0.1"));
  CHECK_FALSE(proxied("https://127.0.0.1:8443/", "127.0.0.1:8443"));
  CHECK(proxied("https://127.0.0.1:9443/", "127.0.0.1:8443"));
  CHECK_FALSE(proxied("https://[::1]:8443/", "::1"));
}

TEST_CASE("proxy_for: unsupported proxies are proxy errors") {
  auto result = proxy_for(url("https://a.example/"), "https://proxy.local:8443", "", "");
  REQUIRE(std::holds_alternative<HttpError>(result));
  CHECK(std::get<HttpError>(result).kind == HttpErrorKind::proxy);
  CHECK(std::get<HttpError>(result).message == "HTTPS_PROXY: only http:// proxies are supported");
  result = proxy_for(url("http://a.example/"), "", "http://user:secret@proxy.local:3128", "");
  REQUIRE(std::holds_alternative<HttpError>(result));
  CHECK(std::get<HttpError>(result).message ==
        "HTTP_PROXY: credentials in the proxy URL are refused: flow does not support proxy authentication");
}

}  // namespace flow::http

namespace flow::test {

TEST_CASE("proxy: plain http goes to the HTTP_PROXY with the absolute URL as its target") {
  Client client;
  TestRequest seen;
  TestServer server(client.io, [&seen](const TestRequest& request, const RequestInfo&) {
    seen = request;
    return respond(200, "ok");
  });
  TestProxy proxy(client.io);
  BeastTransportOptions options;
  options.http_proxy = proxy.url();
  client.transport = make_beast_transport(client.io.get_executor(), options);
  // flow.test is a name only the test proxy knows (the client never looks it up).
  const std::string origin = "flow.test:" + std::to_string(server.port());
  auto result = client.send(post_form("http://" + origin + "/oauth/token?x=1", "refresh_token=r0"));
  CHECK(expect_response(result).body == "ok");
  REQUIRE(proxy.targets().size() == 1);
  CHECK(proxy.targets()[0] == "http://" + origin + "/oauth/token?x=1");
  CHECK(seen.target() == "/oauth/token?x=1");
  CHECK(seen["Host"] == origin);
  CHECK(seen.body() == "refresh_token=r0");
  SECTION("a loopback host goes direct all the same") {
    CHECK(expect_response(client.send(get(server.url("/direct")))).body == "ok");
    CHECK(proxy.targets().size() == 1);
    CHECK(seen.target() == "/direct");
  }
  proxy.stop();
  server.stop();
}

TEST_CASE("proxy: a 407 to plain http is the proxy's refusal, and says proxy authentication is not supported") {
  Client client;
  TestProxy proxy(client.io, 407);
  BeastTransportOptions options;
  options.http_proxy = proxy.url();
  client.transport = make_beast_transport(client.io.get_executor(), options);
  auto error = expect_error(client.send(get("http://flow.test:8080/")));
  CHECK(error.kind == HttpErrorKind::proxy);
  CHECK(error.message == "proxy 127.0.0.1:" + std::to_string(proxy.port()) + " refused the request to "
                         "flow.test:8080: 407 Proxy Authentication Required (flow does not support proxy "
                         "authentication: the proxy must let this host through without credentials)");
  proxy.stop();
}

namespace {

/// The error of an https request through a proxy that answers its CONNECT with
/// `answer` (the tunnel's end, a plain server, is never reached);
/// `proxy_authority` is set to the proxy's "127.0.0.1:PORT".
HttpError through_connect_answer(std::string answer, std::string& proxy_authority) {
  Client client;
  TestServer target(client.io, [](const TestRequest&, const RequestInfo&) { return respond(200, "never"); });
  TestProxy proxy(client.io);
  proxy.answer_connect_with(std::move(answer));
  proxy_authority = "127.0.0.1:" + std::to_string(proxy.port());
  BeastTransportOptions options;
  options.https_proxy = proxy.url();
  client.transport = make_beast_transport(client.io.get_executor(), options);
  HttpError error = expect_error(client.send(get("https://127.0.0.1:" + std::to_string(target.port()) + "/")));
  proxy.stop();
  target.stop();
  return error;
}

}  // namespace

TEST_CASE("proxy: a CONNECT answer's interim answers are read as an origin's: a 101 and a ninth 1xx are refused") {
  std::string proxy;
  std::string nine;
  for (int i = 0; i < 9; ++i) nine += "HTTP/1.1 100 Continue\r\n\r\n";
  auto error = through_connect_answer(nine + "HTTP/1.1 200 Connection established\r\n\r\n", proxy);
  CHECK(error.kind == HttpErrorKind::proxy);
  CHECK(error.message == "reading the CONNECT answer of proxy " + proxy +
                             ": more than 8 interim (1xx) answers before the final one");
  error = through_connect_answer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", proxy);
  CHECK(error.kind == HttpErrorKind::proxy);
  CHECK(error.message == "reading the CONNECT answer of proxy " + proxy +
                             ": the server switched protocols (101), which flow never asks for");
}

TEST_CASE("proxy: a CONNECT answer's headers have an origin's limit (64 KiB), named in the same words") {
  std::string proxy;
  const std::string big(http::kAnswerHeaderLimit, 'h');
  auto error = through_connect_answer("HTTP/1.1 200 Connection established\r\nX-Big: " + big + "\r\n\r\n", proxy);
  CHECK(error.kind == HttpErrorKind::proxy);
  CHECK(error.message == "reading the CONNECT answer of proxy " + proxy +
                             ": response headers exceed 65536 bytes (flow's fixed limit for an answer's headers)");
}

}  // namespace flow::test
