#include <catch2/catch.hpp>

#include "stdlib/stdlib.hpp"
#include "stdlib/stdlib_support.hpp"

using namespace flow;

TEST_CASE("register_stdlib provides every function LANGUAGE.md section 5 names") {
  const auto& registry = test::stdlib_registry();
  for (const char* name :
       {"now", "today", "add_time", "diff", "format_date", "parse_date", "seconds", "minutes",
        "hours", "days", "unix_time", "from_unix", "upper", "lower", "trim", "length", "contains",
        "starts_with", "ends_with", "replace", "substring", "split", "join", "pad", "matches",
        "round", "floor", "ceil", "min", "max", "sum", "to_number", "abs", "json_parse", "to_json",
        "json_get", "base64", "base64_decode", "base64url", "base64url_decode", "url_encode",
        "url_decode", "hex", "sha256", "hmac_sha256", "uuid", "process_id", "env", "jwt_claims",
        "Sum", "Date", "DateAdd", "ProcessID", "Pad"}) {
    INFO(name);
    CHECK(registry.find(name) != nullptr);
  }
}

TEST_CASE("every spec is consistent") {
  const auto& registry = test::stdlib_registry();
  for (const auto& name : registry.names()) {
    INFO(name);
    const FunctionSpec* spec = registry.find(name);
    REQUIRE(spec != nullptr);
    CHECK(spec->name == name);
    CHECK(spec->min_args >= 0);
    CHECK((spec->max_args == -1 || spec->max_args >= spec->min_args));
    if (spec->max_args >= 0) {
      CHECK(spec->params.size() <= static_cast<std::size_t>(spec->max_args));
    }
    CHECK(static_cast<bool>(spec->fn));
    CHECK(spec->signature.starts_with(name + "("));
  }
}

TEST_CASE("registering twice replaces, never duplicates") {
  FunctionRegistry registry;
  register_stdlib(registry);
  const auto count = registry.names().size();
  register_stdlib(registry);
  CHECK(registry.names().size() == count);
}
