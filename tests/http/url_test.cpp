#include "engine/http/url.hpp"

#include <catch2/catch.hpp>

namespace flow::http {
namespace {

Url parse_ok(std::string_view text) {
  auto result = parse_url(text);
  if (auto* error = std::get_if<HttpError>(&result)) FAIL(error->message);
  return std::get<Url>(result);
}

std::string parse_error(std::string_view text) {
  auto result = parse_url(text);
  REQUIRE(std::holds_alternative<HttpError>(result));
  CHECK(std::get<HttpError>(result).kind == HttpErrorKind::invalid_url);
  return std::get<HttpError>(result).message;
}

}  // namespace

TEST_CASE("url: scheme, host, port and target") {
  auto url = parse_ok("HTTP://Example.COM:8089/oauth/token?a=1#frag");
  CHECK_FALSE(url.https);
  CHECK(url.host == "example.com");
  CHECK(url.port == 8089);
  CHECK(url.target == "/oauth/token?a=1");
  CHECK(url.authority() == "example.com:8089");
  CHECK(url.host_header() == "example.com:8089");
  CHECK_FALSE(url.host_is_ip());
}

TEST_CASE("url: default ports, empty paths and bare queries") {
  auto https = parse_ok("https://api.example.com");
  CHECK(https.port == 443);
  CHECK(https.target == "/");
  CHECK(https.host_header() == "api.example.com");
  CHECK(parse_ok("http://h?x=1").target == "/?x=1");
  CHECK(parse_ok("http://h").port == 80);
}

TEST_CASE("url: IP literals") {
  auto v4 = parse_ok("http://127.0.0.1:8080/");
  CHECK(v4.host == "127.0.0.1");
  CHECK(v4.host_is_ip());
  auto v6 = parse_ok("https://[::1]:8443/x");
  CHECK(v6.host == "::1");
  CHECK(v6.host_is_ip());
  CHECK(v6.authority() == "[::1]:8443");
  CHECK(v6.host_header() == "[::1]:8443");
}

TEST_CASE("url: errors say why without repeating the URL") {
  CHECK(parse_error("127.0.0.1/x") == "invalid URL: missing scheme (expected http:// or https://)");
  CHECK(parse_error("ftp://h/") == "invalid URL: unsupported scheme 'ftp'");
  CHECK(parse_error("http://user:SECRET@h/") == "invalid URL: credentials in the URL are not allowed");
  CHECK(parse_error("http://h:0/") == "invalid URL: bad port");
  CHECK(parse_error("http://h:70000/") == "invalid URL: bad port");
  CHECK(parse_error("http://h:/") == "invalid URL: empty port");
  CHECK(parse_error("http:///path") == "invalid URL: missing host");
  CHECK(parse_error("http://h/a b") == "invalid URL: contains spaces or control characters");
  CHECK(parse_error("http://[::1/") == "invalid URL: unterminated IPv6 literal");
}

}  // namespace flow::http
