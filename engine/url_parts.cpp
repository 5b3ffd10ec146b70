#include "engine/url_parts.hpp"

#include <algorithm>
#include <cctype>

namespace flow {

namespace {

/// Whether `reference` starts with a scheme ("https:", "mailto:"): RFC 3986 3.1,
/// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
bool has_scheme(std::string_view reference) {
  const auto colon = reference.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  if (!std::isalpha(static_cast<unsigned char>(reference.front()))) return false;
  for (const char c : reference.substr(0, colon)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

/// `path` without its "." and ".." segments (RFC 3986 5.2.4).
std::string remove_dot_segments(std::string path) {
  std::string out;
  while (!path.empty()) {
    if (path.starts_with("../") || path.starts_with("./")) {
      path.erase(0, path.find('/') + 1);
    } else if (path.starts_with("/./") || path == "/.") {  // "/./x" -> "/x", "/." -> "/"
      path.replace(0, std::min<std::size_t>(3, path.size()), "/");
    } else if (path.starts_with("/../") || path == "/..") {
      path.replace(0, std::min<std::size_t>(4, path.size()), "/");
      const auto slash = out.rfind('/');
      out.erase(slash == std::string::npos ? 0 : slash);
    } else if (path == "." || path == "..") {
      path.clear();
    } else {
      const auto end = std::min(path.find('/', 1), path.size());
      out += path.substr(0, end);
      path.erase(0, end);
    }
  }
  return out;
}

}  // namespace

UrlParts split_url(std::string_view url) {
  UrlParts parts;
  if (const auto hash = url.find('#'); hash != std::string_view::npos) {
    parts.fragment = url.substr(hash + 1);
    url = url.substr(0, hash);
  }
  if (const auto scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    parts.scheme = url.substr(0, scheme_end);
    url.remove_prefix(scheme_end + 3);
  }
  std::string_view authority = url.substr(0, url.find_first_of("/?"));
  url.remove_prefix(authority.size());
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    parts.userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
  }
  parts.host_port = authority;
  parts.path = url.substr(0, url.find('?'));
  url.remove_prefix(parts.path.size());
  if (!url.empty()) parts.query = url.substr(1);
  return parts;
}

std::string resolve_url(std::string_view base, std::string_view reference) {
  if (has_scheme(reference)) return std::string(reference);
  const UrlParts from = split_url(base);
  const std::string scheme = std::string(from.scheme) + ":";
  if (reference.starts_with("//")) return scheme + std::string(reference);
  std::string resolved = scheme + "//";
  if (from.userinfo) resolved += std::string(*from.userinfo) + "@";
  resolved += from.host_port;
  // The reference's path, query and fragment, split as a URL's are.
  const auto hash = reference.find('#');
  const auto fragment = hash == std::string_view::npos ? std::string_view{} : reference.substr(hash);
  reference = reference.substr(0, hash);
  const auto question = reference.find('?');
  const auto query = question == std::string_view::npos ? std::string_view{} : reference.substr(question);
  const auto path = reference.substr(0, question);
  if (path.empty()) {  // "?page=2" or "#top": the base's path, and its query unless the reference has one
    resolved += from.path;
    if (!query.empty()) resolved += query;
    else if (from.query) resolved += "?" + std::string(*from.query);
    return resolved + std::string(fragment);
  }
  if (path.starts_with('/')) {
    resolved += remove_dot_segments(std::string(path));
  } else {  // relative to the base's directory (RFC 3986 5.2.3)
    const auto slash = from.path.rfind('/');
    const auto directory = slash == std::string_view::npos ? std::string_view("/") : from.path.substr(0, slash + 1);
    resolved += remove_dot_segments(std::string(directory) + std::string(path));
  }
  return resolved + std::string(query) + std::string(fragment);
}

}  // namespace flow
