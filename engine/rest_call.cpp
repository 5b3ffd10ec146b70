#include "engine/rest_call.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "engine/json_path.hpp"
#include "engine/program.hpp"
#include "engine/url_parts.hpp"
#include "grammar/credential_name.hpp"

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

/// The name a part has on the wire: its `as "..."` name, else its own.
template <typename Part>
const std::string& wire_name(const Part& part) {
  return part.wire_name ? *part.wire_name : part.name.text;
}

/// The value for a declared part: the mapped one, else its declared default
/// (evaluated into `evaluated`); null when it has neither.
const Value* part_value(const ast::RequestPart& part, const std::map<std::string, Value>& mapped, const Scope& scope,
                        std::optional<Value>& evaluated) {
  if (auto it = mapped.find(part.name.text); it != mapped.end()) return &it->second;
  if (part.default_value) return &evaluated.emplace(evaluate(*part.default_value, scope));
  return nullptr;
}

/// Appends `value` as text, percent-encoded (a text value without a copy of it).
void append_encoded(std::string& out, const Value& value) {
  out += value.is<std::string>() ? url_encode(value.as<std::string>()) : url_encode(to_text(value));
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

/// Keeps what a request sends of a secret value (or of a part declared
/// `secret`), for the scrubber.
void note_secret(HttpRequest& request, const Value& value, bool declared_secret = false) {
  if (value.secret || declared_secret) request.secrets.push_back(to_text(value));
}

/// Adds a header; its value joins the request's secrets when it is secret (a
/// tainted value, or a `credential` header: declared `secret` or named like
/// one), and of `Scheme credentials` (Basic, Bearer) the credentials alone
/// too: a server may echo them without the scheme.
void add_header(HttpRequest& request, const std::string& name, const Value& value, bool credential) {
  auto text = to_text(value);
  if (value.secret || credential) {
    request.secrets.push_back(text);
    const auto space = text.find(' ');
    const bool scheme = space != std::string::npos && space > 0 &&
                        std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(space), [](char c) {
                          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
                        });
    if (const auto credentials = scheme ? text.find_first_not_of(' ', space) : std::string::npos;
        credentials != std::string::npos)
      request.secrets.push_back(text.substr(credentials));
  }
  request.headers.emplace_back(name, std::move(text));
}

/// The method's path with its parameters filled; refuses a path `flow check`
/// refuses (its path_template's problem), in case a run did not check it.
std::string expand_path(HttpRequest& request, const ast::MethodDecl& method, const MappedRequest& mapped) {
  const auto& path = method.path_template;
  if (!path.problem.empty()) throw RunError(path.problem);
  std::string out;
  for (const auto& piece : path.pieces) {
    if (!piece.parameter) {
      out += piece.text;
      continue;
    }
    const auto it = mapped.path.find(piece.text);
    if (it == mapped.path.end() || it->second.is_null())
      throw RunError("path parameter '" + piece.text + "' of " + method.name.text + " is not mapped");
    note_secret(request, it->second);
    out += url_encode(to_text(it->second));
  }
  if (mapped.url_path && !mapped.url_path->is_null()) {
    note_secret(request, *mapped.url_path);
    auto extra = to_text(*mapped.url_path);
    if (!extra.empty() && extra.front() != '/' && (out.empty() || out.back() != '/')) out += '/';
    out += extra;
  }
  return out;
}

/// `text` and, when it is percent-encoded, its decoded form: a server may echo either.
void note_url_part(HttpRequest& request, std::string_view text) {
  if (text.empty()) return;
  request.secrets.emplace_back(text);
  try {
    if (auto decoded = url_decode(text); decoded != text) request.secrets.push_back(std::move(decoded));
  } catch (const RunError&) {  // a '%' without two hex digits: sent as written
  }
}

/// Calls `each(name, value)` for every parameter of the query of `parts`,
/// the name decoded and the value as written.
template <typename Each>
void each_url_parameter(const UrlParts& parts, Each each) {
  each_query_parameter(parts.query.value_or(std::string_view{}), [&](std::string_view written, std::string_view value) {
    std::string name(written);
    try {
      name = url_decode(name);
    } catch (const RunError&) {  // read as written
    }
    each(name, value);
  });
}

/// What a URL carries of credentials whatever its taint: the password of
/// `user:password@` (the transport refuses to send it, but a test's report
/// shows the URL) and the value of each query parameter named like a
/// credential header (`?api_key=...`, `?access_token=...`).
void note_url_credentials(HttpRequest& request, std::string_view url) {
  const UrlParts parts = split_url(url);
  if (parts.userinfo) {
    if (const auto colon = parts.userinfo->find(':'); colon != std::string_view::npos)
      note_url_part(request, parts.userinfo->substr(colon + 1));
  }
  each_url_parameter(parts, [&](const std::string& name, std::string_view value) {
    if (is_credential_name(name)) note_url_part(request, value);
  });
}

/// A base_url that is secret as a whole (`base_url = SecretUrl;`): all of
/// it, its path and each query value (a request line echoes them apart: the
/// method's path goes between them).
void note_secret_url(HttpRequest& request, std::string_view url) {
  request.secrets.emplace_back(url);
  const UrlParts parts = split_url(url);
  note_url_part(request, parts.path);
  each_url_parameter(parts, [&](const std::string&, std::string_view value) { note_url_part(request, value); });
}

/// The base_url, and what it carries of secrets (note_url_credentials): the
/// text of each secret value interpolated into it (`"https://h/t/${TenantKey}"`),
/// or all of it when it is secret as a whole (note_secret_url).
std::string base_url_of(HttpRequest& request, const ast::Expr& expr, const Scope& scope) {
  const auto [value, secret_spans] = evaluate_with_secret_spans(expr, scope);
  std::string url = to_text(value);
  for (const auto& span : secret_spans) {
    if (span.size == url.size()) note_secret_url(request, url);
    else request.secrets.push_back(url.substr(span.begin, span.size));
  }
  note_url_credentials(request, url);
  return url;
}

/// Applies the settings the datasource declares (each evaluated once, now:
/// `env(...)` reads the environment of this run); returns its base_url.
std::string apply_settings(HttpRequest& request, const ast::DatasourceDecl& ds, const Scope& scope,
                           std::string_view declared_in) {
  std::string base_url;
  for (const auto& setting : ds.settings) {
    const std::string_view name = setting.name.text;
    if (name == settings::base_url) {
      base_url = base_url_of(request, setting.value, scope);
      continue;
    }
    const Value value = evaluate(setting.value, scope);
    if (name == settings::timeout) {
      if (value.is<Duration>()) request.timeout = value.as<Duration>();
    } else if (name == settings::max_response_bytes) {
      if (value.is<double>()) request.max_response_bytes = static_cast<std::size_t>(value.as<double>());
    } else if (name == settings::ca_file) {
      request.tls.ca_file = path_beside(declared_in, to_text(value));
    } else if (name == settings::client_cert) {
      request.tls.client_cert_file = path_beside(declared_in, to_text(value));
    } else if (name == settings::client_key) {
      request.tls.client_key_file = path_beside(declared_in, to_text(value));
    } else if (name == settings::insecure_skip_verify) {
      request.tls.insecure_skip_verify = truthy(value);
    } else if (name == settings::retries) {
      if (value.is<double>()) request.retry.max_attempts = 1 + static_cast<int>(value.as<double>());
    } else if (name == settings::retry_backoff) {
      if (value.is<Duration>()) request.retry.initial_backoff = value.as<Duration>();
    }
  }
  return base_url;
}

void add_body(HttpRequest& request, const ast::MethodDecl& method, const MappedRequest& mapped, const Scope& scope) {
  if (method.request_format == ast::BodyFormat::none) return;
  std::string form;
  Json json = Json::object();
  for (const auto& part : method.request) {
    if (part.kind != ast::PartKind::body) continue;
    std::optional<Value> evaluated;
    const Value* value = part_value(part, mapped.body, scope, evaluated);
    if (!value) continue;
    note_secret(request, *value, part.credential);
    if (method.request_format == ast::BodyFormat::form) {
      if (value->is_null()) continue;
      if (!form.empty()) form += '&';
      form += url_encode(wire_name(part));
      form += '=';
      append_encoded(form, *value);
    } else {
      json_path_set(json, wire_name(part), to_json(*value, true));
    }
  }
  const bool is_form = method.request_format == ast::BodyFormat::form;
  request.body = is_form ? form : dump_json(json);
  request.headers.emplace_back("Content-Type", is_form ? "application/x-www-form-urlencoded" : "application/json");
}

}  // namespace

std::string call_name(std::string_view datasource, std::string_view method) {
  return std::string(datasource).append(1, '.').append(method);
}

std::optional<ast::PartKind> mapped_part_kind(std::string_view head) {
  if (head == "body") return ast::PartKind::body;
  if (head == "header") return ast::PartKind::header;
  if (head == "query") return ast::PartKind::query;
  if (head == "path") return ast::PartKind::path;
  return std::nullopt;
}

const ast::RequestPart* mapped_part(const ast::MethodDecl& method, const std::vector<ast::Name>& target) {
  const auto kind = target.size() == 2 ? mapped_part_kind(target[0].text) : std::nullopt;
  if (!kind) return nullptr;
  for (const auto& part : method.request)
    if (part.kind == *kind && part.name.text == target[1].text) return &part;
  return nullptr;
}

namespace {

/// The `error` code of an OAuth2 error answer (RFC 6749 5.2), if `answer` is one.
std::optional<std::string> oauth_error_code(const Json& answer) {
  if (!answer.is_object()) return std::nullopt;
  const auto code = answer.find("error");
  if (code == answer.end() || !code->is_string()) return std::nullopt;
  const auto& text = code->get_ref<const std::string&>();
  // A code is a short word; anything else is not shown as one.
  const auto plain = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '.' || c == '-'; };
  if (text.empty() || text.size() > 64 || !std::all_of(text.begin(), text.end(), plain)) return std::nullopt;
  return text;
}

}  // namespace

std::string refresh_token_field(const ast::CallRule& rule, const ast::MethodDecl& method) {
  std::string field;
  for (const auto& entry : rule.map) {
    const auto* part = mapped_part(method, entry.target);
    const auto* name = std::get_if<ast::Identifier>(&entry.value.node);
    if (part && name && part->wire_name.value_or(part->name.text) == "refresh_token") field = name->name;
  }
  return field;
}

std::optional<OAuthRefusal> oauth_refusal(const ast::CallRule& rule, const ast::MethodDecl& method, int status,
                                          const std::string& body) {
  if (status != 400 && status != 401) return std::nullopt;
  const auto code = oauth_error_code(Json::parse(body, nullptr, false));
  if (!code) return std::nullopt;
  return OAuthRefusal{*code, refresh_token_field(rule, method)};
}

HttpRequest build_request(const ast::DatasourceDecl& ds, const ast::MethodDecl& method,
                          const MappedRequest& mapped, const Scope& scope, std::string_view declared_in) {
  HttpRequest request;
  request.call = call_name(ds.name.text, method.name.text);
  request.method = verb_text(method.verb);
  request.url = apply_settings(request, ds, scope, declared_in);
  request.base_url = request.url;
  if (request.url.empty()) throw RunError("datasource " + ds.name.text + " has no base_url");
  // A fragment is never sent (it is the client's, RFC 3986 3.5): `flow check` warns.
  if (const auto hash = request.url.find('#'); hash != std::string::npos) request.url.erase(hash);
  // A base_url may carry a query (an API key, an api-version): the method's
  // path goes before it, and its own query parameters after it.
  std::string query;
  if (const auto at = request.url.find('?'); at != std::string::npos) {
    query = request.url.substr(at);
    request.url.erase(at);
  }
  // "http://" keeps its slashes: the method's path is no host ("http:///x" is
  // refused for its missing host, which the base_url lacks).
  if (request.url.ends_with('/') && !request.url.ends_with("://")) request.url.pop_back();
  request.url += expand_path(request, method, mapped);
  for (const auto& h : ds.headers) add_header(request, h.header, evaluate(h.value, scope), h.credential);
  for (const auto& part : method.request) {
    if (part.kind != ast::PartKind::header && part.kind != ast::PartKind::query) continue;
    std::optional<Value> evaluated;
    const Value* value = part_value(part, mapped_for(part.kind, mapped), scope, evaluated);
    if (!value || value->is_null()) continue;
    const std::string& wire = wire_name(part);
    if (part.kind == ast::PartKind::header) {
      add_header(request, wire, *value, part.credential);
      continue;
    }
    note_secret(request, *value, part.credential);
    query += query.size() > 1 ? "&" : query.empty() ? "?" : "";
    query += url_encode(wire);
    query += '=';
    append_encoded(query, *value);
  }
  request.url += query;
  add_body(request, method, mapped, scope);
  request.headers.emplace_back("Accept", "application/json");
  return request;
}

namespace {

/// `body` with each number too large for a double (`1e400`) written as a JSON
/// string of its text: the JSON parser refuses a whole document for one, and
/// a rotated refresh token beside it must still be read. A mapping of that
/// member into a number field then fails on its own.
std::string out_of_range_numbers_quoted(const std::string& body) {
  std::string out;
  out.reserve(body.size() + 8);
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i < body.size();) {
    const std::size_t start = i;
    if (body[i] == '"') {  // a string, escapes included, as it is
      ++i;
      while (i < body.size() && body[i] != '"') i += body[i] == '\\' ? 2 : 1;
      i = std::min(i + 1, body.size());
      out.append(body, start, i - start);
    } else if (body[i] == '-' || digit(body[i])) {
      while (i < body.size() && (digit(body[i]) || std::string_view("+-.eE").find(body[i]) != std::string_view::npos))
        ++i;
      const std::string number = body.substr(start, i - start);
      const bool huge = std::isinf(std::strtod(number.c_str(), nullptr));
      out += huge ? '"' + number + '"' : number;
    } else {
      out += body[i++];
    }
  }
  return out;
}

/// A form-encoded answer (`access_token=...&expires_in=3600`, what some token
/// endpoints send unless asked for JSON) as a JSON object of its pairs: a
/// value that is a JSON number is that number, any other a text. Discarded
/// when a pair is not percent-encoded properly.
Json form_answer(const std::string& body) {
  Json pairs = Json::object();
  std::size_t at = 0;
  while (at <= body.size()) {
    auto end = body.find('&', at);
    if (end == std::string::npos) end = body.size();
    std::string pair = body.substr(at, end - at);
    std::replace(pair.begin(), pair.end(), '+', ' ');
    if (!pair.empty()) {
      const auto equals = pair.find('=');
      try {
        const auto name = url_decode(std::string_view(pair).substr(0, equals));
        const auto value = equals == std::string::npos ? std::string() : url_decode(pair.substr(equals + 1));
        const Json number = Json::parse(value, nullptr, false);
        pairs[name] = number.is_number() ? number : Json(value);
      } catch (const RunError&) {
        return Json(Json::value_t::discarded);
      }
    }
    at = end + 1;
  }
  return pairs.empty() ? Json(Json::value_t::discarded) : pairs;
}

/// The answer's body as JSON: its JSON; a form-encoded one's pairs; one whose
/// only fault is a number out of range, with that number as text. Discarded
/// when it is none of these.
Json read_answer(const HttpResponse& response) {
  if (response.has_media_type("application/x-www-form-urlencoded")) return form_answer(response.body);
  Json parsed = Json::parse(response.body, nullptr, false);
  if (!parsed.is_discarded()) return parsed;
  return Json::parse(out_of_range_numbers_quoted(response.body), nullptr, false);
}

/// The JSON document at the start of `body` when bytes other than spaces
/// follow it: how many follow, or 0 when there is no such document.
std::size_t bytes_after_json(const std::string& body, Json& parsed) {
  std::istringstream in(body);
  try {
    in >> parsed;
  } catch (const Json::exception&) {
    return 0;
  }
  in.clear();
  const auto end = in.tellg();
  if (end < 0) return 0;
  const auto rest = static_cast<std::size_t>(end);
  const auto first = body.find_first_not_of(" \t\r\n", rest);
  return first == std::string::npos ? 0 : body.size() - rest;
}

}  // namespace

SuccessAnswer read_success(const ast::MethodDecl& method, const HttpResponse& response) {
  SuccessAnswer result;
  Locals& locals = result.locals;
  locals["status"] = Value(response.status);
  Json headers = Json::object();
  Json body = Json::object();
  bool wants_json = method.response_format == ast::BodyFormat::json;
  Json parsed = read_answer(response);
  if (wants_json && parsed.is_discarded()) {
    // A JSON answer with bytes after it (a broken proxy, a server that writes
    // twice) may hold a rotated refresh token: its fields are read, and the
    // caller fails the run once they are kept.
    const std::size_t after = bytes_after_json(response.body, parsed);
    if (after == 0) {
      const auto type = response.header("Content-Type");
      throw RunError(method.name.text + " answered with a body that is not JSON" +
                     (type ? " (Content-Type: " + *type + ")" : std::string(" (no Content-Type)")));
    }
    result.trailing = method.name.text + " answered with " + std::to_string(after) + " bytes after its JSON body";
  }
  bool holds_a_field = false;
  for (const auto& part : method.response) {
    const std::string& wire = wire_name(part);
    if (part.is_header) {
      const auto value = response.header(wire);
      headers[part.name.text] = value ? Json(*value) : Json(nullptr);
    } else if (const Json* at = parsed.is_discarded() ? nullptr : json_path_get(parsed, wire)) {
      body[part.name.text] = *at;
      holds_a_field = true;
    } else {
      body[part.name.text] = nullptr;
    }
  }
  const bool declares_body = std::any_of(method.response.begin(), method.response.end(),
                                         [](const ast::ResponsePart& p) { return !p.is_header; });
  // Some providers answer a refused refresh with 200: mapping its nulls would
  // wipe a token that is still good.
  if (declares_body && !holds_a_field) {
    if (auto code = oauth_error_code(parsed)) {
      result.error_code = std::move(code);
      locals.clear();
      return result;
    }
  }
  locals["header"] = Value(std::move(headers));
  result.whole = parsed.is_discarded() ? Value(response.body) : Value(std::move(parsed));
  // Without declared body fields, `body` is the whole answer (JSON, or its text).
  if (declares_body) locals["body"] = Value(std::move(body));
  else locals["body"] = result.whole;
  return result;
}

std::optional<Value> answer_array(const ast::MethodDecl& method, const Value& answer) {
  if (!answer.is<Json>()) return std::nullopt;
  const Json& json = answer.as<Json>();
  if (json.is_array()) return answer;
  for (const auto& part : method.response) {
    if (part.is_header) continue;
    if (const Json* at = json_path_get(json, wire_name(part)); at && at->is_array()) return Value(*at);
  }
  // Level by level from the top: the nearest array is the list the answer
  // wraps (`{"data": {"items": [...], "meta": {...}}}`).
  std::vector<std::pair<std::string, const Json*>> level{{"", &json}};
  while (!level.empty()) {
    std::vector<std::pair<std::string, const Json*>> next;
    std::vector<std::pair<std::string, const Json*>> arrays;
    for (const auto& [path, object] : level) {
      if (!object->is_object()) continue;
      for (const auto& [key, value] : object->items()) {
        auto member = path.empty() ? key : path + "." + key;
        if (value.is_array()) arrays.emplace_back(std::move(member), &value);
        else if (value.is_object()) next.emplace_back(std::move(member), &value);
      }
    }
    if (arrays.size() == 1) return Value(*arrays.front().second);
    if (arrays.size() > 1) {
      std::string names;
      for (const auto& [path, value] : arrays) names += (names.empty() ? "" : ", ") + path;
      throw RunError("the answer holds several arrays (" + names + "): declare the one to store as a response body "
                     "field (response body json { items = \"" + arrays.front().first + "\"; })");
    }
    level = std::move(next);
  }
  return std::nullopt;
}

Locals error_locals(const std::string& message, int status, const std::string& body) {
  Locals locals;
  Json error = {{"message", message}, {"status", status}, {"body", body}};
  locals["error"] = Value(std::move(error));
  return locals;
}

}  // namespace flow
