#include "tools/oauth2_provider/routes.hpp"

#include <openssl/crypto.h>

#include <stdexcept>

#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http/field.hpp>

namespace oauth2_provider {

namespace {

namespace beast_http = boost::beast::http;
using Json = nlohmann::json;
using Params = std::map<std::string, std::string>;

Response json_response(const Request& request, beast_http::status status, const Json& body) {
  Response response{status, request.version()};
  response.set(beast_http::field::content_type, "application/json");
  response.set(beast_http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = body.dump();
  response.prepare_payload();
  return response;
}

Response oauth_error(const Request& request, beast_http::status status, const std::string& code) {
  return json_response(request, status, {{"error", code}});
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw std::invalid_argument("bad %-escape");
}

std::string url_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) throw std::invalid_argument("bad %-escape");
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

/// Form or JSON body, by Content-Type. JSON values that are not strings are dumped.
Params body_params(const Request& request) {
  std::string type(request[beast_http::field::content_type]);
  if (type.find("application/json") == std::string::npos) return parse_form(request.body());
  Json body = Json::parse(request.body());
  if (!body.is_object()) throw std::invalid_argument("JSON body is not an object");
  Params params;
  for (const auto& [key, value] : body.items()) params[key] = value.is_string() ? value.get<std::string>() : value.dump();
  return params;
}

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

/// Client authentication: HTTP Basic or client_id/client_secret in the body.
bool client_ok(const Request& request, const Params& params, const Options& options) {
  if (options.client_id.empty()) return true;
  std::string id = params.contains("client_id") ? params.at("client_id") : "";
  std::string secret = params.contains("client_secret") ? params.at("client_secret") : "";
  std::string_view authorization = request[beast_http::field::authorization];
  if (authorization.starts_with("Basic ")) {
    auto encoded = authorization.substr(6);
    std::string decoded(boost::beast::detail::base64::decoded_size(encoded.size()), '\0');
    auto [written, read] = boost::beast::detail::base64::decode(decoded.data(), encoded.data(), encoded.size());
    decoded.resize(written);
    auto colon = decoded.find(':');
    if (colon == std::string::npos) return false;
    id = url_decode(decoded.substr(0, colon));
    secret = url_decode(decoded.substr(colon + 1));
  }
  return same_secret(id, options.client_id) && same_secret(secret, options.client_secret);
}

Response refresh_grant(const Request& request, const Params& params, TokenState& state, std::string& log_line) {
  auto presented = params.find("refresh_token");
  if (presented == params.end() || presented->second.empty()) return oauth_error(request, beast_http::status::bad_request, "invalid_request");
  log_line += " refresh_token=" + mask(presented->second);
  if (state.faults.invalid_grant_next_n > 0) {
    --state.faults.invalid_grant_next_n;
    ++state.stats.invalid_grants;
    return oauth_error(request, beast_http::status::bad_request, "invalid_grant");
  }
  auto issued = state.refresh(presented->second);
  if (!issued) {
    ++state.stats.invalid_grants;
    return oauth_error(request, beast_http::status::bad_request, "invalid_grant");
  }
  ++state.stats.refreshes;
  log_line += " -> access_token=" + mask(issued->access_token) + " refresh_token=" + mask(*issued->refresh_token);
  return json_response(request, beast_http::status::ok, issued->to_json());
}

Response token_endpoint(const Request& request, TokenState& state, const Options& options, std::string& log_line) {
  ++state.stats.token_requests;
  Params params;
  try {
    params = body_params(request);
  } catch (const std::exception&) {
    return oauth_error(request, beast_http::status::bad_request, "invalid_request");
  }
  if (!client_ok(request, params, options)) {
    auto response = oauth_error(request, beast_http::status::unauthorized, "invalid_client");
    response.set(beast_http::field::www_authenticate, "Basic realm=\"oauth2_provider\"");
    return response;
  }
  std::string grant = params.contains("grant_type") ? params.at("grant_type") : "";
  log_line += " grant_type=" + grant;
  if (grant == "refresh_token") return refresh_grant(request, params, state, log_line);
  if (grant == "client_credentials") {
    ++state.stats.client_credentials_grants;
    return json_response(request, beast_http::status::ok, state.issue_access_token().to_json());
  }
  return oauth_error(request, beast_http::status::bad_request, "unsupported_grant_type");
}

Response resource_endpoint(const Request& request, TokenState& state) {
  ++state.stats.resource_requests;
  std::string_view authorization = request[beast_http::field::authorization];
  if (authorization.starts_with("Bearer ") && state.access_token_valid(std::string(authorization.substr(7)))) {
    return json_response(request, beast_http::status::ok, {{"ok", true}, {"resource", "demo"}});
  }
  auto response = oauth_error(request, beast_http::status::unauthorized, "invalid_token");
  response.set(beast_http::field::www_authenticate, "Bearer error=\"invalid_token\"");
  return response;
}

Json faults_json(const Faults& faults) {
  return {{"delay_ms", faults.delay_ms},
          {"fail_next_n_with_500", faults.fail_next_n_with_500},
          {"drop_next_n_connections", faults.drop_next_n_connections},
          {"invalid_grant_next_n", faults.invalid_grant_next_n}};
}

Response faults_endpoint(const Request& request, TokenState& state) {
  if (request.method() == beast_http::verb::post) {
    try {
      Json body = Json::parse(request.body());
      Faults& f = state.faults;
      f.delay_ms = body.value("delay_ms", f.delay_ms);
      f.fail_next_n_with_500 = body.value("fail_next_n_with_500", f.fail_next_n_with_500);
      f.drop_next_n_connections = body.value("drop_next_n_connections", f.drop_next_n_connections);
      f.invalid_grant_next_n = body.value("invalid_grant_next_n", f.invalid_grant_next_n);
    } catch (const std::exception&) {
      return oauth_error(request, beast_http::status::bad_request, "invalid_request");
    }
  }
  return json_response(request, beast_http::status::ok, faults_json(state.faults));
}

}  // namespace

std::map<std::string, std::string> parse_form(std::string_view body) {
  std::map<std::string, std::string> params;
  while (!body.empty()) {
    auto amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    auto equals = pair.find('=');
    std::string key = url_decode(pair.substr(0, equals));
    params[key] = equals == std::string_view::npos ? "" : url_decode(pair.substr(equals + 1));
  }
  return params;
}

Response handle_request(const Request& request, TokenState& state, const Options& options, std::string& log_line) {
  ++state.stats.requests;
  std::string path(request.target().substr(0, request.target().find('?')));
  log_line = std::string(request.method_string()) + " " + path;
  bool admin = path == "/stats" || path == "/admin/faults";
  if (!admin && state.faults.fail_next_n_with_500 > 0) {
    --state.faults.fail_next_n_with_500;
    return oauth_error(request, beast_http::status::internal_server_error, "server_error");
  }
  auto verb = request.method();
  if (path == "/oauth/token" && verb == beast_http::verb::post) return token_endpoint(request, state, options, log_line);
  if (path == "/api/resource" && verb == beast_http::verb::get) return resource_endpoint(request, state);
  if (path == "/stats" && verb == beast_http::verb::get) return json_response(request, beast_http::status::ok, state.stats.to_json());
  if (path == "/admin/faults" && (verb == beast_http::verb::get || verb == beast_http::verb::post)) {
    return faults_endpoint(request, state);
  }
  bool known = path == "/oauth/token" || path == "/api/resource" || admin;
  return oauth_error(request, known ? beast_http::status::method_not_allowed : beast_http::status::not_found,
                     known ? "method_not_allowed" : "not_found");
}

}  // namespace oauth2_provider
