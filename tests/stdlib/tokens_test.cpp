#include <catch2/catch.hpp>

#include "stdlib/stdlib_support.hpp"

using namespace flow;
using flow::test::call;
using flow::test::secret;

namespace {

// HS256, signed with "secret-key"; payload {"sub":"1234567890","name":"Jöhn Doe",
// "iat":1795891870,"exp":1795895470,"scope":["read","write"]} (base64url, no padding).
const std::string kHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
const std::string kPayload =
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkrDtmhuIERvZSIsImlhdCI6MTc5NTg5MTg3MCwiZXhwIjoxNzk1ODk1"
    "NDcwLCJzY29wZSI6WyJyZWFkIiwid3JpdGUiXX0";
const std::string kSignature = "lrgWyNTzUdWWty4r0dnvey-OMRU5mzmDx3ixK1rl7Hc";
const std::string kToken = kHeader + "." + kPayload + "." + kSignature;

/// The run error jwt_claims raises for `token`, checked never to contain it.
std::string failure(const std::string& token) {
  try {
    call("jwt_claims", {secret(token)});
  } catch (const RunError& error) {
    const std::string message = error.what();
    for (const auto& part : {kHeader, kPayload, kSignature}) {
      CHECK(message.find(part.substr(0, 8)) == std::string::npos);
    }
    if (token.size() >= 4) CHECK(message.find(token) == std::string::npos);
    return message;
  }
  FAIL("jwt_claims accepted a malformed token");
  return {};
}

}  // namespace

TEST_CASE("jwt_claims returns the payload as json, unverified") {
  const Value claims = call("jwt_claims", {kToken});
  REQUIRE(claims.is<Json>());
  const Json& json = claims.as<Json>();
  CHECK(json.at("exp") == 1795895470);
  CHECK(json.at("sub") == "1234567890");
  CHECK(json.at("name") == "J\xC3\xB6hn Doe");
  CHECK(json.at("scope") == Json::parse(R"(["read", "write"])"));
}

TEST_CASE("jwt_claims ignores the signature and accepts a Bearer prefix") {
  CHECK(call("jwt_claims", {kHeader + "." + kPayload + ".forged"}).as<Json>().at("exp") ==
        1795895470);
  CHECK(call("jwt_claims", {kHeader + "." + kPayload + "."}).as<Json>().at("exp") == 1795895470);
  CHECK(call("jwt_claims", {"Bearer " + kToken}).as<Json>().at("exp") == 1795895470);
}

TEST_CASE("jwt_claims of a secret token are secret") {
  CHECK(call("jwt_claims", {secret(kToken)}).secret);
  CHECK_FALSE(call("jwt_claims", {kToken}).secret);
  // What `jwt_claims(AccessToken).exp` reads: member access is the interpreter's,
  // json_get is the same walk.
  const Value exp = call("json_get", {call("jwt_claims", {secret(kToken)}), "exp"});
  CHECK(exp == Value(1795895470));
  CHECK(exp.secret);
}

TEST_CASE("jwt_claims rejects malformed tokens without quoting them") {
  CHECK(failure("") == "jwt_claims: malformed token (expected three dot-separated parts)");
  CHECK(failure("not-a-token") ==
        "jwt_claims: malformed token (expected three dot-separated parts)");
  CHECK(failure(kHeader + "." + kPayload) ==
        "jwt_claims: malformed token (expected three dot-separated parts)");
  CHECK(failure(kToken + ".extra") ==
        "jwt_claims: malformed token (expected three dot-separated parts)");
  CHECK(failure("!!!." + kPayload + "." + kSignature) ==
        "jwt_claims: malformed token (header is not base64url)");
  CHECK(failure(kHeader + ".eyJleHAi*." + kSignature) ==
        "jwt_claims: malformed token (payload is not base64url)");
  // "eyJleHAiOjE" is {"exp":1 cut short; "WzFd" is [1]; "bm90IGpzb24" is "not json".
  CHECK(failure(kHeader + ".eyJleHAiOjE." + kSignature) ==
        "jwt_claims: malformed token (payload is not JSON)");
  CHECK(failure(kHeader + ".bm90IGpzb24." + kSignature) ==
        "jwt_claims: malformed token (payload is not JSON)");
  CHECK(failure(kHeader + ".WzFd." + kSignature) ==
        "jwt_claims: malformed token (payload is not a JSON object)");
  CHECK(failure("." + kPayload + "." + kSignature) ==
        "jwt_claims: malformed token (header is not JSON)");
  CHECK(failure(std::string(70 * 1024, 'a')) == "jwt_claims: malformed token (longer than 64 KiB)");
}

TEST_CASE("jwt_claims checks its argument type") {
  REQUIRE_THROWS_WITH(call("jwt_claims", {Value()}), "jwt_claims: expected text, got null");
  REQUIRE_THROWS_WITH(call("jwt_claims", {5}), "jwt_claims: expected text, got number");
}
