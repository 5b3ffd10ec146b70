#pragma once
// Absolute http(s) URLs as the transport needs them: where to connect and what
// to put on the request line. No Beast here, so it is cheap to test.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "engine/http_transport.hpp"

namespace flow::http {

struct Url {
  bool https = false;
  std::string host;    // lower-case name, or an IP literal without brackets
  std::uint16_t port = 0;
  std::string target;  // path + query, never empty ("/" at least); no fragment

  /// True when `host` is an IPv4 or IPv6 literal (no DNS, no SNI).
  bool host_is_ip() const;
  /// "host:port" ("[::1]:port" for IPv6): what messages show. Never the path or
  /// query, which may hold credentials.
  std::string authority() const;
  /// The Host header value: the port only when it is not the scheme's default.
  std::string host_header() const;
};

/// Parses `scheme://host[:port][/path][?query][#fragment]`. Rejects other schemes,
/// user-info (credentials do not belong in URLs), bad ports and control characters.
/// The error message never repeats the URL (its query may hold a secret).
std::variant<Url, HttpError> parse_url(std::string_view text);

}  // namespace flow::http
