#pragma once
// The REST side of a call rule: an HTTP request built from a method declaration
// and the values a `map` block assigned, and the namespaces (`body`, `header`,
// `status`, `error`) that on_success / on_error read back.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/eval.hpp"
#include "engine/http_transport.hpp"
#include "grammar/ast.hpp"

namespace flow {

using Locals = std::map<std::string, Value, std::less<>>;

/// The datasource settings build_request reads: one list, so the checker
/// knows exactly these (and refuses a misspelled one) with the kind each needs.
namespace settings {
inline constexpr std::string_view base_url = "base_url";
inline constexpr std::string_view timeout = "timeout";
inline constexpr std::string_view max_response_bytes = "max_response_bytes";
inline constexpr std::string_view ca_file = "ca_file";
inline constexpr std::string_view client_cert = "client_cert";
inline constexpr std::string_view client_key = "client_key";
inline constexpr std::string_view insecure_skip_verify = "insecure_skip_verify";
inline constexpr std::string_view retries = "retries";
inline constexpr std::string_view retry_backoff = "retry_backoff";
}  // namespace settings

/// A setting and the kind of value it takes; nullopt: any value (read as text or truthiness).
struct SettingSpec {
  std::string_view name;
  std::optional<ValueKind> kind;
};
inline constexpr SettingSpec kDatasourceSettings[] = {
    {settings::base_url, std::nullopt},
    {settings::timeout, ValueKind::duration},
    {settings::max_response_bytes, ValueKind::number},
    {settings::ca_file, std::nullopt},
    {settings::client_cert, std::nullopt},
    {settings::client_key, std::nullopt},
    {settings::insecure_skip_verify, std::nullopt},
    {settings::retries, ValueKind::number},
    {settings::retry_backoff, ValueKind::duration},
};

/// What a `map` block assigned, keyed by the declared request-part name.
struct MappedRequest {
  std::map<std::string, Value> header, query, body, path;
  std::optional<Value> url_path;
};

/// The name calls, mocks and call notes give a method: `Datasource.Method`
/// (HttpRequest::call, by which `flow test` answers a mock).
std::string call_name(std::string_view datasource, std::string_view method);

/// The kind of request part a call's map target starts with (`body`,
/// `header`, `query`, `path`), or nullopt (`urlPath`, anything else).
std::optional<ast::PartKind> mapped_part_kind(std::string_view head);

/// The declared request part a call's map target names (`body.client_secret`,
/// `header.Auth`), or nullptr: `urlPath`, a path parameter, a part `method`
/// does not declare. The value mapped to it is sent as it (a credential part's
/// is masked).
const ast::RequestPart* mapped_part(const ast::MethodDecl& method, const std::vector<ast::Name>& target);

/// The OAuth2 error answer a call's `status` and `body` are, if they are one
/// (a 400 or 401 with a JSON `error` code), with the field `rule` sent as the
/// request's refresh_token.
std::optional<OAuthRefusal> oauth_refusal(const ast::CallRule& rule, const ast::MethodDecl& method, int status,
                                          const std::string& body);
/// The field `rule` sends as the request's refresh_token (`body.refresh_token
/// = RefreshToken`), or "".
std::string refresh_token_field(const ast::CallRule& rule, const ast::MethodDecl& method);

/// Builds the request. Its `secrets` are the wire values of the secret parts:
/// tainted values (a secret field, or computed from one, in a part, a path
/// parameter or interpolated into base_url), headers and base_url query
/// parameters that is_credential_name() names, and a base_url's password.
/// `settings_scope` evaluates datasource settings and declared defaults
/// (env(), literals); `declared_in` is the path of the
/// file that declares the datasource: relative ca_file, client_cert and
/// client_key are read from its directory (path_beside). Throws RunError for a
/// missing base_url, an unfilled path parameter, or a value that cannot be sent.
HttpRequest build_request(const ast::DatasourceDecl& datasource, const ast::MethodDecl& method,
                          const MappedRequest& mapped, const Scope& settings_scope, std::string_view declared_in);

/// What a 2xx answer brings to a call.
struct SuccessAnswer {
  Locals locals;         // `body` (declared response fields by name, read through their JSON paths), `header`, `status`
  Value whole;           // the whole answer (its JSON, else its text), whatever the method declares: what `into` searches
  std::string trailing;  // set when bytes follow a JSON answer: its fields are read, and the run then fails
  /// Set when the answer is an OAuth2 error answer instead of what the method
  /// declares (`{"error":"invalid_grant"}` and none of its declared body
  /// fields): the call failed, whatever its status said. Its locals are empty.
  std::optional<std::string> error_code;
};

/// Reads a 2xx answer as `method` declares it. Throws RunError when the method
/// declares a JSON body and the answer is not JSON (nor form-encoded), or a
/// declared JSON path cannot be walked.
SuccessAnswer read_success(const ast::MethodDecl& method, const HttpResponse& response);

/// What `find_item ... into` stores of `answer` (the whole answer): the answer
/// when it is an array, else the array a declared response body field reads
/// (the first in declaration order), else the one array found in it nearest
/// its top (members of objects, level by level). Nullopt when it holds none.
/// Throws RunError when the nearest level holds several, naming them.
std::optional<Value> answer_array(const ast::MethodDecl& method, const Value& answer);

/// `error` = {message, status, body} for on_error, from a response or a transport error.
Locals error_locals(const std::string& message, int status, const std::string& body);

}  // namespace flow
