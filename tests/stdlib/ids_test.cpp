#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "stdlib/stdlib_support.hpp"

using namespace flow;
using flow::test::call;

TEST_CASE("uuid is a random version 4 UUID") {
  const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const Value id = call("uuid", {});
    REQUIRE(id.is<std::string>());
    CHECK(std::regex_match(id.as<std::string>(), v4));
    CHECK_FALSE(id.secret);
    seen.insert(id.as<std::string>());
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("process_id is the running instance's ID") {
  CallContext context;
  context.instance_id = "TokenKeeper-1";
  CHECK(call("process_id", {}, context) == Value("TokenKeeper-1"));
}

TEST_CASE("process_id is null before the instance is first saved") {
  CHECK(call("process_id", {}) == Value());
}
