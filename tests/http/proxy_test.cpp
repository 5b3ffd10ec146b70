#include "engine/http/proxy.hpp"

#include <catch2/catch.hpp>

namespace flow::http {
namespace {

Url url(std::string_view text) { return std::get<Url>(parse_url(text)); }

bool proxied(std::string_view target, const std::string& no_proxy, const std::string& proxy = "127.0.0.1:3128") {
  return std::holds_alternative<Url>(proxy_for(url(target), proxy, no_proxy));
}

}  // namespace

TEST_CASE("proxy_for: only https, only when configured") {
  CHECK(proxied("https://api.example.com/", ""));
  CHECK_FALSE(proxied("http://api.example.com/", ""));
  CHECK_FALSE(proxied("https://api.example.com/", "", ""));
  auto proxy = std::get<Url>(proxy_for(url("https://a.example/"), "http://proxy.local:8080", ""));
  CHECK(proxy.host == "proxy.local");
  CHECK(proxy.port == 8080);
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
  auto result = proxy_for(url("https://a.example/"), "https://proxy.local:8443", "");
  REQUIRE(std::holds_alternative<HttpError>(result));
  CHECK(std::get<HttpError>(result).kind == HttpErrorKind::proxy);
  CHECK(std::get<HttpError>(result).message == "HTTPS_PROXY: only http:// proxies are supported");
}

}  // namespace flow::http
