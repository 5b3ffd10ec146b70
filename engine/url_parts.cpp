#include "engine/url_parts.hpp"

namespace flow {

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

}  // namespace flow
