#include <catch2/catch.hpp>

#include "stdlib/stdlib_support.hpp"

using namespace flow;
using flow::test::call;
using flow::test::secret;

TEST_CASE("sha256 is the hex digest of the text's bytes") {
  CHECK(call("sha256", {"abc"}) ==
        Value("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  CHECK(call("sha256", {""}) ==
        Value("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK(call("sha256", {Value()}) == call("sha256", {""}));
  REQUIRE_THROWS_WITH(call("sha256", {5}), "sha256: expected text, got number");
}

TEST_CASE("hmac_sha256 matches RFC 4231") {
  // RFC 4231 test case 2.
  CHECK(call("hmac_sha256", {"Jefe", "what do ya want for nothing?"}) ==
        Value("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
  CHECK(call("hmac_sha256", {"", ""}) ==
        Value("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
  REQUIRE_THROWS_WITH(call("hmac_sha256", {"key", 1}), "hmac_sha256: expected text, got number");
  REQUIRE_THROWS_WITH(call("hmac_sha256", {Value(List{}), "x"}),
                      "hmac_sha256: expected text, got list");
}

TEST_CASE("digests and MACs of secrets are secret") {
  CHECK(call("sha256", {secret("hunter2")}).secret);
  CHECK(call("hmac_sha256", {secret("client-secret"), "payload"}).secret);
  CHECK(call("hmac_sha256", {"key", secret("payload")}).secret);
  CHECK_FALSE(call("sha256", {"abc"}).secret);
  CHECK_FALSE(call("hmac_sha256", {"key", "payload"}).secret);
}
