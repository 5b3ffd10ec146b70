#include "engine/http/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/asio/ip/address.hpp>

#include "engine/url_parts.hpp"

namespace flow::http {

namespace {

HttpError invalid(std::string why) { return {HttpErrorKind::invalid_url, "invalid URL: " + why}; }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// Splits "host[:port]" / "[v6][:port]" into `url`; returns an error text or "".
std::string parse_authority(std::string_view authority, Url& url) {
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return "unterminated IPv6 literal";
    host = authority.substr(1, close - 1);
    auto rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return "unexpected text after IPv6 literal";
    if (!rest.empty()) port = rest.substr(1);
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec) return "bad IPv6 literal";
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return "missing host";
  url.host = lower(host);
  url.port = url.https ? 443 : 80;
  if (authority.ends_with(':')) return "empty port";
  if (port.empty()) return "";
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    return "bad port";
  }
  url.port = static_cast<std::uint16_t>(value);
  return "";
}

}  // namespace

bool Url::host_is_ip() const {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

std::string Url::authority() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Url::host_header() const {
  bool v6 = host.find(':') != std::string::npos;
  std::string name = v6 ? "[" + host + "]" : host;
  bool default_port = port == (https ? 443 : 80);
  return default_port ? name : name + ":" + std::to_string(port);
}

std::variant<Url, HttpError> parse_url(std::string_view text) {
  if (url_has_space_or_control(text)) return invalid("contains spaces or control characters");
  if (auto why = url_scheme_problem(text)) return invalid(std::move(*why));
  const UrlParts parts = split_url(text);
  Url url;
  url.https = lower(parts.scheme) == "https";
  if (parts.userinfo) return invalid("credentials in the URL are not allowed");
  if (auto why = parse_authority(parts.host_port, url); !why.empty()) return invalid(why);
  url.target = parts.path.empty() ? "/" : std::string(parts.path);
  if (parts.query) url.target += "?" + std::string(*parts.query);
  return url;
}

}  // namespace flow::http
