#include <catch2/catch.hpp>

#include <cstdlib>

#include "stdlib/stdlib_support.hpp"

using namespace flow;
using flow::test::call;
using flow::test::secret;

TEST_CASE("env reads a set variable") {
  ::setenv("FLOW_STDLIB_TEST_SET", "https://example.test", 1);
  CHECK(call("env", {"FLOW_STDLIB_TEST_SET"}) == Value("https://example.test"));
  CHECK(call("env", {"FLOW_STDLIB_TEST_SET", "fallback"}) == Value("https://example.test"));
  CHECK_FALSE(call("env", {"FLOW_STDLIB_TEST_SET"}).secret);
  ::setenv("FLOW_STDLIB_TEST_EMPTY", "", 1);
  CHECK(call("env", {"FLOW_STDLIB_TEST_EMPTY", "fallback"}) == Value(""));
}

TEST_CASE("env falls back to the default, or fails naming the variable") {
  ::unsetenv("FLOW_STDLIB_TEST_UNSET");
  CHECK(call("env", {"FLOW_STDLIB_TEST_UNSET", "http://127.0.0.1:8089"}) ==
        Value("http://127.0.0.1:8089"));
  CHECK(call("env", {"FLOW_STDLIB_TEST_UNSET", Value()}) == Value());
  REQUIRE_THROWS_AS(call("env", {"FLOW_STDLIB_TEST_UNSET"}), RunError);
  REQUIRE_THROWS_WITH(call("env", {"FLOW_STDLIB_TEST_UNSET"}),
                      "environment variable FLOW_STDLIB_TEST_UNSET is not set");
}

TEST_CASE("env checks its argument types") {
  REQUIRE_THROWS_WITH(call("env", {5}), "env: expected text, got number");
  REQUIRE_THROWS_WITH(call("env", {Value()}), "env: expected text, got null");
  REQUIRE_THROWS_WITH(call("env", {"FLOW_STDLIB_TEST_UNSET", 5}),
                      "env: expected text or null as the default, got number");
}

TEST_CASE("env taints its result with a secret default or name") {
  ::unsetenv("FLOW_STDLIB_TEST_UNSET");
  const Value fallback = call("env", {"FLOW_STDLIB_TEST_UNSET", secret("s3cr3t")});
  CHECK(fallback == Value("s3cr3t"));
  CHECK(fallback.secret);
  ::setenv("FLOW_STDLIB_TEST_SET", "value", 1);
  CHECK(call("env", {"FLOW_STDLIB_TEST_SET", secret("s3cr3t")}).secret);
  // A secret the run knows whole (a field's value read by name) shows its tail;
  // a text derived from one, the mask alone.
  Value name = secret("FLOW_STDLIB_TEST_UNSET");
  REQUIRE_THROWS_WITH(call("env", {mark_whole_secret(name)}), "environment variable " + test::kMask + "NSET is not set");
  REQUIRE_THROWS_WITH(call("env", {secret("FLOW_STDLIB_TEST_UNSET")}), "environment variable " + test::kMask + " is not set");
}
