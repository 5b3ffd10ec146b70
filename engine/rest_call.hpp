#pragma once
// The REST side of a call rule: an HTTP request built from a method declaration
// and the values a `map` block assigned, and the namespaces (`body`, `header`,
// `status`, `error`) that on_success / on_error read back.

#include <map>
#include <optional>
#include <string>

#include "engine/eval.hpp"
#include "engine/http_transport.hpp"
#include "grammar/ast.hpp"

namespace flow {

using Locals = std::map<std::string, Value, std::less<>>;

/// What a `map` block assigned, keyed by the declared request-part name.
struct MappedRequest {
  std::map<std::string, Value> header, query, body, path;
  std::optional<Value> url_path;
};

/// Builds the request. `settings_scope` evaluates datasource settings and
/// declared defaults (env(), literals). Throws RunError for a missing base_url,
/// an unfilled path parameter, or a value that cannot be sent.
HttpRequest build_request(const ast::DatasourceDecl& datasource, const ast::MethodDecl& method,
                          const MappedRequest& mapped, const Scope& settings_scope);

/// `body` (declared response fields by name, read through their JSON paths),
/// `header` (declared response headers by name) and `status`. Throws RunError
/// when the method declares a JSON body and the answer is not JSON.
Locals success_locals(const ast::MethodDecl& method, const HttpResponse& response);

/// `error` = {message, status, body} for on_error, from a response or a transport error.
Locals error_locals(const std::string& message, int status, const std::string& body);

/// Text of the secrets in `fields` replaced by their masks inside `text`: a
/// defence in depth for text the engine did not build (an HTTP error body that
/// echoes a token), on top of the taint carried by values.
std::string scrub_secrets(std::string text, const std::map<std::string, Value>& fields);

}  // namespace flow
