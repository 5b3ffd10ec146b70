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

bool is_transient_kind(HttpErrorKind kind) {
  switch (kind) {
    case HttpErrorKind::dns:
    case HttpErrorKind::refused:
    case HttpErrorKind::timeout:
    case HttpErrorKind::network:
      return true;
    case HttpErrorKind::tls:
    case HttpErrorKind::too_large:
    case HttpErrorKind::malformed:
    case HttpErrorKind::proxy:
    case HttpErrorKind::invalid_url:
      return false;
  }
  return false;
}

}  // namespace

std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> url_scheme_problem(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "missing scheme (expected http:// or https://)";
  const auto scheme = url.substr(0, scheme_end);
  if (iequals(scheme, "http") || iequals(scheme, "https")) return std::nullopt;
  std::string lower(scheme);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "unsupported scheme '" + lower + "'";
}

bool url_has_space_or_control(std::string_view url) {
  return std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

std::optional<std::string> HttpResponse::header(std::string_view name) const { return find_header(headers, name); }

bool HttpResponse::has_media_type(std::string_view media_type) const {
  for (const auto& [key, value] : headers) {
    if (!iequals(key, "Content-Type")) continue;
    std::string_view type(value);
    type = type.substr(0, type.find(';'));
    type = type.substr(0, type.find_last_not_of(" \t") + 1);  // npos + 1 is 0: all blank
    return iequals(type, media_type);
  }
  return false;
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

HttpResult with_attempts(HttpResult result, int attempts) {
  if (auto* error = std::get_if<HttpError>(&result); error && attempts > 1)
    error->message += " (after " + std::to_string(attempts) + " attempts)";
  else if (auto* response = std::get_if<HttpResponse>(&result)) response->attempts = attempts;
  return result;
}

bool is_transient(const HttpResult& result) {
  if (const auto* error = std::get_if<HttpError>(&result)) return is_transient_kind(error->kind);
  const int status = std::get<HttpResponse>(result).status;
  return status == 429 || (status >= 500 && status <= 599);
}

}  // namespace flow
