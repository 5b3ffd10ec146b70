#include "engine/rest_call.hpp"

#include <algorithm>

#include "engine/json_path.hpp"
#include "engine/program.hpp"

namespace flow {

namespace {

const char* verb_text(ast::HttpVerb verb) {
  switch (verb) {
    case ast::HttpVerb::GET: return "GET";
    case ast::HttpVerb::POST: return "POST";
    case ast::HttpVerb::PUT: return "PUT";
    case ast::HttpVerb::PATCH: return "PATCH";
    case ast::HttpVerb::DELETE: return "DELETE";
  }
  return "GET";
}

std::optional<Value> setting(const ast::DatasourceDecl& ds, std::string_view name, const Scope& scope) {
  const auto* s = Program::setting(ds, name);
  if (!s) return std::nullopt;
  return evaluate(s->value, scope);
}

std::string setting_text(const ast::DatasourceDecl& ds, std::string_view name, const Scope& scope) {
  const auto v = setting(ds, name, scope);
  return v ? to_text(*v) : std::string();
}

/// The value for a declared part: the mapped one, else its declared default.
std::optional<Value> part_value(const ast::RequestPart& part, const std::map<std::string, Value>& mapped,
                                const Scope& scope) {
  if (auto it = mapped.find(part.name.text); it != mapped.end()) return it->second;
  if (part.default_value) return evaluate(*part.default_value, scope);
  return std::nullopt;
}

const std::map<std::string, Value>& mapped_for(ast::PartKind kind, const MappedRequest& mapped) {
  switch (kind) {
    case ast::PartKind::header: return mapped.header;
    case ast::PartKind::query: return mapped.query;
    case ast::PartKind::body: return mapped.body;
    case ast::PartKind::path: return mapped.path;
  }
  return mapped.body;
}

std::string expand_path(const ast::MethodDecl& method, const MappedRequest& mapped) {
  std::string out;
  const std::string& path = method.path;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '{') {
      out += path[i];
      continue;
    }
    const auto close = path.find('}', i);
    const auto name = path.substr(i + 1, close - i - 1);
    const auto it = mapped.path.find(name);
    if (it == mapped.path.end() || it->second.is_null())
      throw RunError("path parameter '" + name + "' of " + method.name.text + " is not mapped");
    out += url_encode(to_text(it->second));
    i = close;
  }
  if (mapped.url_path && !mapped.url_path->is_null()) {
    auto extra = to_text(*mapped.url_path);
    if (!extra.empty() && extra.front() != '/' && (out.empty() || out.back() != '/')) out += '/';
    out += extra;
  }
  return out;
}

void apply_settings(HttpRequest& request, const ast::DatasourceDecl& ds, const Scope& scope) {
  if (auto t = setting(ds, settings::timeout, scope); t && t->is<Duration>()) request.timeout = t->as<Duration>();
  if (auto m = setting(ds, settings::max_response_bytes, scope); m && m->is<double>())
    request.max_response_bytes = static_cast<std::size_t>(m->as<double>());
  request.tls.ca_file = setting_text(ds, settings::ca_file, scope);
  request.tls.client_cert_file = setting_text(ds, settings::client_cert, scope);
  request.tls.client_key_file = setting_text(ds, settings::client_key, scope);
  if (auto v = setting(ds, settings::insecure_skip_verify, scope)) request.tls.insecure_skip_verify = truthy(*v);
  if (auto r = setting(ds, settings::retries, scope); r && r->is<double>())
    request.retry.max_attempts = 1 + static_cast<int>(r->as<double>());
  if (auto b = setting(ds, settings::retry_backoff, scope); b && b->is<Duration>()) request.retry.initial_backoff = b->as<Duration>();
}

void add_body(HttpRequest& request, const ast::MethodDecl& method, const MappedRequest& mapped, const Scope& scope) {
  if (method.request_format == ast::BodyFormat::none) return;
  std::string form;
  Json json = Json::object();
  for (const auto& part : method.request) {
    if (part.kind != ast::PartKind::body) continue;
    const auto value = part_value(part, mapped.body, scope);
    if (!value) continue;
    if (method.request_format == ast::BodyFormat::form) {
      if (value->is_null()) continue;
      if (!form.empty()) form += '&';
      form += url_encode(part.wire_name.value_or(part.name.text)) + "=" + url_encode(to_text(*value));
    } else {
      json_path_set(json, part.wire_name.value_or(part.name.text), to_json(*value, true));
    }
  }
  const bool is_form = method.request_format == ast::BodyFormat::form;
  request.body = is_form ? form : json.dump();
  request.headers.emplace_back("Content-Type", is_form ? "application/x-www-form-urlencoded" : "application/json");
}

}  // namespace

HttpRequest build_request(const ast::DatasourceDecl& ds, const ast::MethodDecl& method,
                          const MappedRequest& mapped, const Scope& scope) {
  HttpRequest request;
  request.method = verb_text(method.verb);
  auto base = setting_text(ds, settings::base_url, scope);
  if (base.empty()) throw RunError("datasource " + ds.name.text + " has no base_url");
  if (base.back() == '/') base.pop_back();
  request.url = base + expand_path(method, mapped);
  apply_settings(request, ds, scope);
  for (const auto& h : ds.headers) request.headers.emplace_back(h.header, to_text(evaluate(h.value, scope)));
  std::string query;
  for (const auto& part : method.request) {
    if (part.kind != ast::PartKind::header && part.kind != ast::PartKind::query) continue;
    const auto value = part_value(part, mapped_for(part.kind, mapped), scope);
    if (!value || value->is_null()) continue;
    const auto wire = part.wire_name.value_or(part.name.text);
    if (part.kind == ast::PartKind::header) request.headers.emplace_back(wire, to_text(*value));
    else query += (query.empty() ? "?" : "&") + url_encode(wire) + "=" + url_encode(to_text(*value));
  }
  request.url += query;
  add_body(request, method, mapped, scope);
  request.headers.emplace_back("Accept", "application/json");
  return request;
}

Locals success_locals(const ast::MethodDecl& method, const HttpResponse& response) {
  Locals locals;
  locals["status"] = Value(response.status);
  Json headers = Json::object();
  Json body = Json::object();
  bool wants_json = method.response_format == ast::BodyFormat::json;
  Json parsed = Json::parse(response.body, nullptr, false);
  if (wants_json && parsed.is_discarded())
    throw RunError(method.name.text + " answered with a body that is not JSON");
  for (const auto& part : method.response) {
    const auto wire = part.wire_name.value_or(part.name.text);
    if (part.is_header) {
      const auto value = response.header(wire);
      headers[part.name.text] = value ? Json(*value) : Json(nullptr);
    } else if (const Json* at = parsed.is_discarded() ? nullptr : json_path_get(parsed, wire)) {
      body[part.name.text] = *at;
    } else {
      body[part.name.text] = nullptr;
    }
  }
  const bool declares_body = std::any_of(method.response.begin(), method.response.end(),
                                         [](const ast::ResponsePart& p) { return !p.is_header; });
  locals["header"] = Value(std::move(headers));
  // Without declared body fields, `body` is the whole answer (JSON, or its text).
  if (declares_body) locals["body"] = Value(std::move(body));
  else locals["body"] = parsed.is_discarded() ? Value(response.body) : Value(std::move(parsed));
  return locals;
}

Locals error_locals(const std::string& message, int status, const std::string& body) {
  Locals locals;
  Json error = {{"message", message}, {"status", status}, {"body", body}};
  locals["error"] = Value(std::move(error));
  return locals;
}

std::string scrub_secrets(std::string text, const std::map<std::string, Value>& fields) {
  for (const auto& [name, value] : fields) {
    if (!value.secret || value.is_null()) continue;
    const auto secret = to_text(value);
    if (secret.size() < 4) continue;  // too short to find without masking ordinary words
    const auto mask = mask_secret(secret);
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + mask.size()))
      text.replace(at, secret.size(), mask);
  }
  return text;
}

}  // namespace flow
