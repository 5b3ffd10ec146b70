#pragma once
// A URL split into its parts as written: the one splitter behind the
// transport's strict parse_url (engine/http/url.cpp) and behind what a request
// notes of the secrets a base_url carries (engine/rest_call.cpp), which must
// find them in a URL the transport refuses too. Here in the engine, not in
// engine/http, because rest_call is engine code and flow_http links the engine.

#include <optional>
#include <string>
#include <string_view>

namespace flow {

/// The parts of `scheme://userinfo@host:port/path?query#fragment`, views into
/// the text split; nothing checked, nothing decoded. A part the URL lacks is
/// empty; those whose delimiter may come with nothing after it are nullopt
/// without the delimiter ("http://h?" has an empty query, "http://h" none).
struct UrlParts {
  std::string_view scheme;                   // before "://"; empty without one
  std::optional<std::string_view> userinfo;  // the authority before its last '@' ("user:pass")
  std::string_view host_port;                // the rest of the authority: "h", "h:8080", "[::1]:8443"
  std::string_view path;                     // from the '/' ending the authority up to '?' or '#'
  std::optional<std::string_view> query;     // after the '?' ending the authority or path, up to '#'
  std::optional<std::string_view> fragment;  // after the first '#'
};

/// Splits `url` as RFC 3986 does, leniently: the fragment off at the first
/// '#'; the scheme before the first "://" in front of it (without one, the
/// authority starts at the beginning: "user:pw@h/p"); the authority up to the
/// first '/' or '?', its user-info before its last '@' (a password may hold
/// '@'); the path up to the first '?'. `url` must outlive the parts.
UrlParts split_url(std::string_view url);

/// `reference` (a Location: "/v2/token", "token2", "//host/x", "?page=2")
/// made absolute against `base`, an absolute URL, as RFC 3986 5.2 resolves it:
/// an absolute reference as given, dot segments removed from a path the base
/// gives a part of. Nothing checked, nothing decoded.
std::string resolve_url(std::string_view base, std::string_view reference);

/// Calls `each(name, value)` for each parameter of `query` (UrlParts::query),
/// in order, as written (not decoded): split on '&', each at its first '=';
/// a parameter without '=' has an empty value, and an empty one ("a=1&&b=2")
/// is passed over.
template <typename Each>
void each_query_parameter(std::string_view query, Each each) {
  while (!query.empty()) {
    const auto parameter = query.substr(0, query.find('&'));
    query.remove_prefix(parameter.size() < query.size() ? parameter.size() + 1 : query.size());
    if (parameter.empty()) continue;
    const auto equals = parameter.find('=');
    if (equals == std::string_view::npos) each(parameter, std::string_view{});
    else each(parameter.substr(0, equals), parameter.substr(equals + 1));
  }
}

}  // namespace flow
