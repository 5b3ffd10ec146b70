// The one URL splitter: parts as written, lenient where parse_url is strict.
#include "engine/url_parts.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using flow::split_url;
using flow::UrlParts;

namespace {

using Parameters = std::vector<std::pair<std::string, std::string>>;

Parameters parameters_of(std::string_view query) {
  Parameters out;
  flow::each_query_parameter(query, [&out](std::string_view name, std::string_view value) {
    out.emplace_back(name, value);
  });
  return out;
}

}  // namespace

TEST_CASE("split_url: every part", "[url_parts]") {
  const UrlParts parts = split_url("https://user:pw@Example.com:8443/a/b?x=1&y=2#top");
  CHECK(parts.scheme == "https");
  CHECK(parts.userinfo == "user:pw");
  CHECK(parts.host_port == "Example.com:8443");
  CHECK(parts.path == "/a/b");
  CHECK(parts.query == "x=1&y=2");
  CHECK(parts.fragment == "top");
}

TEST_CASE("split_url: no scheme, the authority starts at the beginning", "[url_parts]") {
  const UrlParts parts = split_url("user:pw@h:9/p?q=1");
  CHECK(parts.scheme.empty());
  CHECK(parts.userinfo == "user:pw");
  CHECK(parts.host_port == "h:9");
  CHECK(parts.path == "/p");
  CHECK(parts.query == "q=1");
  const UrlParts path_only = split_url("/only/a/path");
  CHECK(path_only.host_port.empty());
  CHECK(path_only.path == "/only/a/path");
}

TEST_CASE("split_url: a password holding ':' and '@' ends at the last '@'", "[url_parts]") {
  const UrlParts parts = split_url("http://user:p@ss:w@rd@h/x");
  CHECK(parts.userinfo == "user:p@ss:w@rd");
  CHECK(parts.host_port == "h");
  CHECK(parts.path == "/x");
  CHECK(split_url("http://@h/").userinfo == "");  // an '@' with nothing before it is user-info still
  CHECK_FALSE(split_url("http://h/a@b").userinfo);  // an '@' in the path is not
}

TEST_CASE("split_url: a query followed by a fragment", "[url_parts]") {
  const UrlParts parts = split_url("http://h/p?a=1&b=2#frag?c=3");
  CHECK(parts.path == "/p");
  CHECK(parts.query == "a=1&b=2");
  CHECK(parts.fragment == "frag?c=3");
  const UrlParts fragment_first = split_url("http://h/p#f?c=3");
  CHECK_FALSE(fragment_first.query);  // a '?' after the '#' is the fragment's
  CHECK(fragment_first.fragment == "f?c=3");
  // The delimiter alone: an empty part, not none.
  CHECK(split_url("http://h?").query == "");
  CHECK(split_url("http://h#").fragment == "");
}

TEST_CASE("split_url: no path", "[url_parts]") {
  const UrlParts bare = split_url("http://h");
  CHECK(bare.host_port == "h");
  CHECK(bare.path.empty());
  CHECK_FALSE(bare.query);
  CHECK_FALSE(bare.fragment);
  const UrlParts query = split_url("http://h:80?k=v");
  CHECK(query.host_port == "h:80");
  CHECK(query.path.empty());
  CHECK(query.query == "k=v");
  CHECK(split_url("http://h#f").host_port == "h");
}

TEST_CASE("split_url: an IPv6 literal host keeps its brackets and port", "[url_parts]") {
  const UrlParts parts = split_url("https://[::1]:8443/x?y");
  CHECK(parts.host_port == "[::1]:8443");
  CHECK(parts.path == "/x");
  CHECK(split_url("http://u:p@[fe80::1%25eth0]").host_port == "[fe80::1%25eth0]");
}

TEST_CASE("each_query_parameter: as written, '='-less and empty parameters", "[url_parts]") {
  CHECK(parameters_of("a=1&b=x%3Dy&c==") == Parameters{{"a", "1"}, {"b", "x%3Dy"}, {"c", "="}});
  CHECK(parameters_of("flag&k=v&") == Parameters{{"flag", ""}, {"k", "v"}});
  CHECK(parameters_of("a=1&&b=") == Parameters{{"a", "1"}, {"b", ""}});
  CHECK(parameters_of("=v") == Parameters{{"", "v"}});
  CHECK(parameters_of("").empty());
  CHECK(parameters_of("&&").empty());
}

TEST_CASE("resolve_url: RFC 3986 5.4.1's normal examples", "[url_parts]") {
  const std::string base = "http://a/b/c/d;p?q";
  const std::vector<std::pair<std::string, std::string>> examples = {
      {"g:h", "g:h"},           {"g", "http://a/b/c/g"},           {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"}, {"/g", "http://a/g"},               {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"},    {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"}, {"g?y#s", "http://a/b/c/g?y#s"}, {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"}, {"", "http://a/b/c/d;p?q"},       {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},   {"..", "http://a/b/"},              {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},  {"../..", "http://a/"},             {"../../", "http://a/"},
      {"../../g", "http://a/g"},
  };
  for (const auto& [reference, resolved] : examples) {
    INFO(reference);
    CHECK(flow::resolve_url(base, reference) == resolved);
  }
}

TEST_CASE("resolve_url: abnormal examples, and a base without a path", "[url_parts]") {
  const std::string base = "http://a/b/c/d;p?q";
  CHECK(flow::resolve_url(base, "../../../g") == "http://a/g");
  CHECK(flow::resolve_url(base, "/./g") == "http://a/g");
  CHECK(flow::resolve_url(base, "/../g") == "http://a/g");
  CHECK(flow::resolve_url(base, "g.") == "http://a/b/c/g.");
  CHECK(flow::resolve_url(base, "..g") == "http://a/b/c/..g");
  CHECK(flow::resolve_url(base, "./g/.") == "http://a/b/c/g/");
  CHECK(flow::resolve_url(base, "g/../h") == "http://a/b/c/h");
  CHECK(flow::resolve_url("https://h:8443", "token2") == "https://h:8443/token2");
  CHECK(flow::resolve_url("https://h:8443?k=v", "?page=2") == "https://h:8443?page=2");
  CHECK(flow::resolve_url("https://h/v1/token", "HTTPS://Other/x") == "HTTPS://Other/x");
}
