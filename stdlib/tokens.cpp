// tokens: jwt_claims(token).
//
// Reads the claims of a JWT (RFC 7519, compact JWS form) WITHOUT verifying its
// signature: the engine holds tokens, it does not accept them, and the point is
// to read `exp` to refresh in time (`jwt_claims(AccessToken).exp`). Never use
// the claims to make a trust decision.
// A malformed token is a run error whose message says what is wrong but never
// contains the token or any part of it.
// Null: jwt_claims(null) is a type error (there is no token to read).
// Secret taint: the claims of a secret token are secret. They are not the
// credential, but they may name the user or scopes, and one rule with no
// exceptions is easier to trust; arithmetic and comparisons on `exp` still work.

#include "stdlib/base64.hpp"
#include "stdlib/stdlib.hpp"
#include "stdlib/support.hpp"

namespace flow {
namespace {

constexpr std::size_t kMaxToken = 64 * 1024;  // bytes; real tokens are a few KiB

[[noreturn]] void malformed(std::string_view why) {
  throw RunError("jwt_claims: malformed token (" + std::string(why) + ")");
}

/// The JSON object in one base64url segment of the token.
Json decode_segment(std::string_view segment, std::string_view name) {
  const auto bytes = stdlib::base64_decode(segment, stdlib::Base64Alphabet::url);
  if (!bytes) malformed(std::string(name) + " is not base64url");
  Json json;
  try {
    json = stdlib::parse_json_text("jwt_claims", *bytes);
  } catch (const RunError&) {
    malformed(std::string(name) + " is not JSON");
  }
  if (!json.is_object()) malformed(std::string(name) + " is not a JSON object");
  return json;
}

Value jwt_claims_fn(std::span<const Value> args, const CallContext&) {
  std::string_view token = stdlib::text_arg("jwt_claims", args[0]);
  if (token.size() > kMaxToken) malformed("longer than 64 KiB");
  // "Bearer <token>" is what an Authorization header holds; accept it as is.
  if (token.starts_with("Bearer ")) token.remove_prefix(7);
  const auto first_dot = token.find('.');
  const auto second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    malformed("expected three dot-separated parts");
  }
  decode_segment(token.substr(0, first_dot), "header");
  Json claims = decode_segment(token.substr(first_dot + 1, second_dot - first_dot - 1), "payload");
  return stdlib::tainted(Value(std::move(claims)), args);
}

}  // namespace

void register_tokens_functions(FunctionRegistry& registry) {
  registry.add({"jwt_claims", 1, 1, ValueKind::json, {ValueKind::text}, jwt_claims_fn,
                "jwt_claims(token) -> json (not verified)"});
}

}  // namespace flow
