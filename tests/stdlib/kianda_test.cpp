#include <catch2/catch.hpp>

#include "stdlib/stdlib_support.hpp"

using namespace flow;
using flow::test::at;
using flow::test::call;
using flow::test::secret;

TEST_CASE("Kianda names map onto the stdlib") {
  CHECK(call("Sum", {1, 2, 3}) == Value(6));
  CHECK(call("DateAdd", {Value(at("2024-01-31T00:00:00Z")), Value(1), Value("month")}) ==
        Value(at("2024-02-29T00:00:00Z")));
  CHECK(call("Pad", {5, 3}) == Value("005"));
  CallContext context;
  context.instance_id = "TokenKeeper-1";
  CHECK(call("ProcessID", {}, context) == Value("TokenKeeper-1"));
}

TEST_CASE("Date() is today, Date(text ...) is parse_date") {
  const test::FixedClock clock(at("2026-11-28T18:51:10Z"));
  CallContext context;
  context.clock = &clock;
  CHECK(call("Date", {}, context) == Value(at("2026-11-28T00:00:00Z")));
  CHECK(call("Date", {"2027-06-30"}) == Value(at("2027-06-30T00:00:00Z")));
  CHECK(call("Date", {"30/06/2027", "%d/%m/%Y"}) == Value(at("2027-06-30T00:00:00Z")));
  CHECK(call("Date", {"2027-06-30", "Europe/Dublin"}) == Value(at("2027-06-29T23:00:00Z")));
  CHECK(call("Date", {secret("2027-06-30")}).secret);
  REQUIRE_THROWS_WITH(call("Date", {"junk"}), "parse_date: \"junk\" is not a date (ISO 8601)");
}

TEST_CASE("aliases keep their target's arity, kinds and signature") {
  const auto& registry = test::stdlib_registry();
  for (const auto& [alias, target] : {std::pair{"Sum", "sum"}, std::pair{"DateAdd", "add_time"},
                                      std::pair{"ProcessID", "process_id"},
                                      std::pair{"Pad", "pad"}}) {
    const FunctionSpec* a = registry.find(alias);
    const FunctionSpec* t = registry.find(target);
    REQUIRE(a != nullptr);
    REQUIRE(t != nullptr);
    CHECK(a->name == alias);
    CHECK(a->min_args == t->min_args);
    CHECK(a->max_args == t->max_args);
    CHECK(a->result == t->result);
    CHECK(a->params == t->params);
    CHECK(a->signature.starts_with(std::string(alias) + "("));
    CHECK(a->signature.ends_with(std::string("(alias of ") + target + ")"));
  }
  CHECK(registry.find("Pad")->signature ==
        "Pad(text | number, width [, fill]) -> text (alias of pad)");
}
