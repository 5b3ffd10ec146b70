// Secrets in text the engine did not build (an error body that echoes the
// request) are masked in every spelling a server plausibly echoes them in.
#include "engine/secret_scrub.hpp"

#include <map>

#include <catch2/catch.hpp>

#include "engine/json_path.hpp"

using flow::Value;

namespace {

const std::string kSecret = "Sx+8/kQ=secret value/with\"chars";
const std::string kDots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";  // ••••
const std::string kMask = kDots + "hars";

std::map<std::string, Value> fields() {
  return {{"ClientSecret", Value(kSecret, true)}, {"Short", Value("ab", true)}, {"Plain", Value("Sx+8")}};
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
  const std::map<std::string, Value> accented{{"S", Value(std::string("caf\xC3\xA9-secret-\"x\"-0123"), true)}};
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
  const std::map<std::string, Value> tokens{{"Old", Value("refresh-token-0123456789", true)},
                              {"New", Value("refresh-token-0123456789.2", true)}};
  CHECK(flow::scrub_secrets("got refresh-token-0123456789.2", tokens) == "got " + kDots + "89.2");
}
