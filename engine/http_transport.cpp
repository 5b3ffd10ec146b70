// The transport-independent parts of engine/http_transport.hpp.
#include "engine/http_transport.hpp"

#include <algorithm>
#include <cctype>

namespace flow {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

const char* http_error_kind_name(HttpErrorKind kind) {
  switch (kind) {
    case HttpErrorKind::dns: return "dns";
    case HttpErrorKind::refused: return "refused";
    case HttpErrorKind::tls: return "tls";
    case HttpErrorKind::timeout: return "timeout";
    case HttpErrorKind::too_large: return "too_large";
    case HttpErrorKind::malformed: return "malformed";
    case HttpErrorKind::network: return "network";
    case HttpErrorKind::proxy: return "proxy";
    case HttpErrorKind::invalid_url: return "invalid_url";
  }
  return "unknown";
}

}  // namespace flow
