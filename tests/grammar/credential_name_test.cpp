// Which names read as a credential, whatever their value's taint.
#include "grammar/credential_name.hpp"

#include <string>

#include <catch2/catch.hpp>

using flow::is_credential_name;

TEST_CASE("credential headers by name", "[credential]") {
  for (const auto* name : {"Authorization", "proxy-authorization", "X-Api-Key", "X-Auth-Token", "Cookie",
                           "X-Client-Secret", "X-PASSWORD", "Apikey"}) {
    INFO(name);
    CHECK(is_credential_name(name));
  }
  for (const auto* name : {"Accept", "X-Trace", "Content-Type", "X-Request-Id"}) {
    INFO(name);
    CHECK_FALSE(is_credential_name(name));
  }
  // Names longer than the folding buffer, the word at either end of them.
  const std::string padding(70, 'x');
  CHECK(is_credential_name(padding + "-TOKEN"));
  CHECK(is_credential_name("Secret-" + padding));
  CHECK_FALSE(is_credential_name(padding + "-tokn"));
  CHECK_FALSE(is_credential_name(""));
}
