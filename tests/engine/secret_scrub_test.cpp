// Secrets in text the engine did not build (an error body that echoes the
// request) are masked in every spelling a server plausibly echoes them in.
#include "engine/secret_scrub.hpp"

#include <algorithm>
#include <map>

#include <catch2/catch.hpp>

#include "engine/json_path.hpp"
#include "support/masked.hpp"

using flow::Value;

namespace {

const std::string kSecret = "Sx+8/kQ=secret value/with\"chars";
using flow::testing::kDots;
const std::string kMask = kDots + "hars";

/// `text` as a field declared `secret` holds it: a secret known whole, masked with its tail.
Value secret_field(const std::string& text) {
  return flow::coerce_to_field(Value(text), flow::ast::FieldType::secret, "F");
}

std::map<std::string, Value> fields() {
  return {{"ClientSecret", secret_field(kSecret)}, {"Short", secret_field("ab")}, {"Plain", Value("Sx+8")}};
}

std::string scrubbed(const std::string& text) { return flow::scrub_secrets(text, fields()); }

}  // namespace

TEST_CASE("scrub_secrets masks a secret raw, URL/form-encoded and JSON-escaped, each as the secret's mask",
          "[scrub]") {
  const auto encoded = flow::url_encode(kSecret);
  REQUIRE(encoded == "Sx%2B8%2FkQ%3Dsecret%20value%2Fwith%22chars");
  const std::vector<std::string> spellings{
      kSecret,
      encoded,
      "Sx%2b8%2fkQ%3dsecret%20value%2fwith%22chars",  // lower-case hex
      "Sx%2B8%2FkQ%3Dsecret+value%2Fwith%22chars",    // a space as '+', as an HTML form sends it
      R"(Sx+8/kQ=secret value/with\"chars)",          // JSON-escaped
      R"(Sx+8/kQ=secret value/with\\\"chars)",        // a JSON body quoted inside a JSON answer
      R"(Sx+8\/kQ=secret value\/with\"chars)",        // JSON with '/' escaped (PHP)
  };
  for (const auto& spelling : spellings) {
    INFO(spelling);
    CHECK(scrubbed("error: client_secret=" + spelling + "&grant_type=x") ==
          "error: client_secret=" + kMask + "&grant_type=x");
  }
}

TEST_CASE("scrub_secrets: non-ASCII as \\u escapes, once and twice", "[scrub]") {
  const std::map<std::string, Value> accented{{"S", secret_field("caf\xC3\xA9-secret-\"x\"-0123")}};
  const auto mask = kDots + "0123";
  CHECK(flow::scrub_secrets(R"({"a": "caf\u00e9-secret-\"x\"-0123"})", accented) == "{\"a\": \"" + mask + "\"}");
  CHECK(flow::scrub_secrets(R"({"a": "{\"s\":\"caf\u00e9-secret-\\\"x\\\"-0123\"}"})", accented) ==
        "{\"a\": \"{\\\"s\\\":\\\"" + mask + "\\\"}\"}");
}

TEST_CASE("scrub_secrets masks what a request sent of secrets, without the tail a field's mask shows", "[scrub]") {
  const std::vector<std::string> sent{"Basic Y2xpZW50OnNlY3JldA==", "Y2xpZW50OnNlY3JldA=="};
  const auto secrets = flow::secret_texts({}, sent);
  CHECK(flow::scrub_secrets(R"({"auth": "Basic Y2xpZW50OnNlY3JldA==", "raw": "Y2xpZW50OnNlY3JldA=="})", secrets) ==
        "{\"auth\": \"" + kDots + "\", \"raw\": \"" + kDots + "\"}");
  // Without a tail: "dA==" would be the base64 of the password's last letter.
}

TEST_CASE("scrub_secrets leaves short secrets and values that are not secret", "[scrub]") {
  CHECK(scrubbed("ab Sx+8") == "ab Sx+8");
  CHECK(flow::secret_texts({}, {"abc"}).empty());
}

TEST_CASE("scrub_secrets masks a secret that contains another whole", "[scrub]") {
  const std::map<std::string, Value> tokens{{"Old", secret_field("refresh-token-0123456789")},
                                            {"New", secret_field("refresh-token-0123456789.2")}};
  CHECK(flow::scrub_secrets("got refresh-token-0123456789.2", tokens) == "got " + kDots + "89.2");
}

TEST_CASE("scrub_secrets masks a tainted text no secret field holds without a tail", "[scrub]") {
  // Msg, a text field given the first 16 characters of a token: its tail
  // would be the token's 13th-16th. The token itself keeps its own mask.
  const std::map<std::string, Value> fields{{"Msg", Value(std::string("WRONG-token-abcd"), true)},
                                            {"Token", secret_field("WRONG-token-abcdefghijklmnopqrstuvwxyz")}};
  CHECK(flow::scrub_secrets("note=WRONG-token-abcd token=WRONG-token-abcdefghijklmnopqrstuvwxyz", fields) ==
        "note=" + kDots + " token=" + kDots + "wxyz");
  // The same text sent in a request and held by a secret field: the field's mask.
  const std::string token = "refresh-token-0123456789";
  const auto both = flow::secret_texts({{"Token", secret_field(token)}}, {token});
  CHECK(flow::scrub_secrets("got refresh-token-0123456789", both) == "got " + kDots + "6789");
}

TEST_CASE("mask_named_credentials masks the value after a credential name, in JSON and form shape", "[scrub]") {
  using flow::mask_named_credentials;
  CHECK(mask_named_credentials(R"({"access_token": "at-1", "expires_in": 60, "refresh_token":"rt\"2"})") ==
        R"({"access_token": "••••", "expires_in": 60, "refresh_token":"••••"})");
  CHECK(mask_named_credentials("access_token=gho_1&scope=repo&refresh_token=ghr_2") ==
        "access_token=••••&scope=repo&refresh_token=••••");
  CHECK(mask_named_credentials(R"({"access_token":"at-)") == R"({"access_token":"••••)");  // cut short
  CHECK(mask_named_credentials("the refresh token is unknown") == "the refresh token is unknown");
  CHECK(mask_named_credentials("Refresh access token: TokenKeeper TK-1 ok") == "Refresh access token: TokenKeeper TK-1 ok");
  CHECK(mask_named_credentials("note=x token=••••wxyz") == "note=x token=••••wxyz");  // masked already: kept as it is
  CHECK(mask_named_credentials(R"({"error":"invalid_grant"})") == R"({"error":"invalid_grant"})");
  CHECK(mask_named_credentials("client_secret=") == "client_secret=");
}

TEST_CASE("credential_members finds the texts an answer holds under credential names", "[scrub]") {
  const auto answer = flow::Json::parse(R"({
    "access_token": "at-0123", "token_type": "Bearer", "expires_in": 3600, "scope": "repo",
    "user": {"api_key": "key-4567", "name": "alice-long-name"}, "id_token": "abc",
    "items": [{"key": "PROJ-12"}], "refresh_token": "at-0123"
  })");
  // token_type is the token's kind; "abc" too short to search for; an
  // array's records are not entered; each text once.
  using Texts = std::vector<std::string>;
  auto found = flow::credential_members(answer);
  std::sort(found.begin(), found.end());
  CHECK(found == Texts{"at-0123", "key-4567"});
  CHECK(flow::credential_members(flow::Json::parse(R"(["tok-0123456789"])")).empty());
}
