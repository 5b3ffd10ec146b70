#include "engine/test_mocks.hpp"

#include "engine/json_path.hpp"

namespace flow {

namespace {

/// The kind `mock ... fails NAME;` names (the grammar admits these names only).
HttpErrorKind failure_kind(std::string_view name) {
  using K = HttpErrorKind;
  for (const auto kind : {K::dns, K::refused, K::tls, K::timeout, K::too_large, K::malformed}) {
    if (name == http_error_kind_name(kind)) return kind;
  }
  return K::network;
}

/// "a=1&b=x%20y" as {"a": "1", "b": "x y"}; a pair that does not decode stays as written.
Json form_object(std::string_view text) {
  Json object = Json::object();
  while (!text.empty()) {
    const auto amp = text.find('&');
    const auto pair = text.substr(0, amp);
    const auto eq = pair.find('=');
    const auto decode = [](std::string_view part) {
      std::string plus_as_space(part);
      for (auto& c : plus_as_space)
        if (c == '+') c = ' ';
      try {
        return url_decode(plus_as_space);
      } catch (const RunError&) {
        return std::string(part);
      }
    };
    if (!pair.empty()) object[decode(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return object;
}

/// Copies each query and body part sent under a wire name of its own to its
/// declared name too, unless the record has that name already.
void add_declared_names(Json& record, const ast::MethodDecl& method) {
  for (const auto& part : method.request) {
    if (!part.wire_name || *part.wire_name == part.name.text) continue;
    if (part.kind != ast::PartKind::query && part.kind != ast::PartKind::body) continue;
    Json& object = record[part.kind == ast::PartKind::query ? "query" : "body"];
    if (!object.is_object() || object.contains(part.name.text)) continue;
    const bool json_path = part.kind == ast::PartKind::body && method.request_format == ast::BodyFormat::json;
    const auto wire = object.find(*part.wire_name);
    const Json* value = json_path ? json_path_get(object, *part.wire_name) : wire == object.end() ? nullptr : &*wire;
    if (!value) continue;
    Json copy = *value;
    object[part.name.text] = std::move(copy);
  }
}

}  // namespace

Json request_record(const HttpRequest& request, const ast::MethodDecl* method) {
  Json record = {{"method", request.method}, {"url", request.url}};
  const auto authority = request.url.find("://");
  const auto path_at = request.url.find('/', authority == std::string::npos ? 0 : authority + 3);
  std::string_view target = path_at == std::string::npos ? std::string_view("/") : std::string_view(request.url).substr(path_at);
  const auto question = target.find('?');
  record["path"] = std::string(target.substr(0, question));
  record["query"] = question == std::string_view::npos ? Json::object() : form_object(target.substr(question + 1));
  Json headers = Json::object();
  for (const auto& [name, value] : request.headers) headers[name] = value;
  record["headers"] = std::move(headers);
  if (request.body.empty()) {
    record["body"] = nullptr;
  } else if (find_header(request.headers, "Content-Type")
                 .value_or("")
                 .starts_with("application/x-www-form-urlencoded")) {
    record["body"] = form_object(request.body);
  } else {
    Json parsed = Json::parse(request.body, nullptr, false);
    record["body"] = parsed.is_discarded() ? Json(request.body) : std::move(parsed);
  }
  if (method) add_declared_names(record, *method);
  return record;
}

HttpResult mocked_answer(const ast::MockAnswer& answer, const Scope& scope) {
  if (answer.failure) return HttpError{failure_kind(*answer.failure), "mocked failure: " + *answer.failure};
  HttpResponse response;
  response.status = 200;
  if (answer.status) {
    const auto status = evaluate(*answer.status, scope);
    const double code = status.is<double>() ? status.as<double>() : 0;
    if (!(code >= 100 && code <= 599) || code != static_cast<int>(code))
      throw LocatedError(answer.status->range, "status must be an HTTP status code (100-599), not " + shown(status, false));
    response.status = static_cast<int>(code);
  }
  for (const auto& header : answer.headers) response.headers.emplace_back(header.name, to_text(evaluate(header.value, scope)));
  const bool typed = response.header("Content-Type").has_value();
  if (answer.body) {
    Json body = Json::object();
    for (const auto& assignment : *answer.body) {
      Json* at = &body;
      for (std::size_t i = 0; i + 1 < assignment.target.size(); ++i) {
        at = &(*at)[assignment.target[i].text];
        if (!at->is_object() && !at->is_null())
          throw LocatedError(assignment.range, "'" + assignment.target[i].text + "' is already set to a value that is not an object");
      }
      (*at)[assignment.target.back().text] = to_json(evaluate(assignment.value, scope), true);
    }
    response.body = dump_json(body);
    if (!typed) response.headers.emplace_back("Content-Type", "application/json");
  } else if (answer.text) {
    response.body = to_text(evaluate(*answer.text, scope));
    if (!typed) response.headers.emplace_back("Content-Type", "text/plain");
  }
  return response;
}

}  // namespace flow
