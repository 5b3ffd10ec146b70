// Secrets in text the engine did not build (an error body that echoes the
// request) are masked in every spelling the request carried them in.
#include "engine/rest_call.hpp"

#include <catch2/catch.hpp>

#include "engine/json_path.hpp"

using flow::Value;

namespace {

const std::string kSecret = "Sx+8/kQ=secret value/with\"chars";

flow::FieldMap fields() {
  return {{"ClientSecret", Value(kSecret, true)}, {"Short", Value("ab", true)}, {"Plain", Value("Sx+8")}};
}

}  // namespace

TEST_CASE("scrub_secrets masks a secret raw, form-encoded (either hex case) and JSON-escaped", "[rest]") {
  const auto encoded = flow::url_encode(kSecret);
  REQUIRE(encoded != kSecret);
  const std::string json_escaped = R"(Sx+8/kQ=secret value/with\"chars)";

  for (const auto& spelling : {kSecret, encoded, json_escaped}) {
    INFO(spelling);
    const auto text = flow::scrub_secrets("error: client_secret=" + spelling + "&grant_type=x", fields());
    CHECK(text.find(spelling) == std::string::npos);
    CHECK_THAT(text, Catch::Contains("client_secret=\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2"));
    CHECK_THAT(text, Catch::EndsWith("&grant_type=x"));
  }
  // Lower-case hex: the unreserved letters stay as they are, only the escapes differ.
  std::string lower_hex = encoded;
  for (std::size_t at = lower_hex.find('%'); at != std::string::npos; at = lower_hex.find('%', at + 1)) {
    lower_hex[at + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower_hex[at + 1])));
    lower_hex[at + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower_hex[at + 2])));
  }
  CHECK(flow::scrub_secrets(lower_hex, fields()).find(lower_hex) == std::string::npos);
  // Secrets shorter than 4 characters and values that are not secret stay.
  CHECK(flow::scrub_secrets("ab Sx+8", fields()) == "ab Sx+8");
}
