#include <catch2/catch.hpp>

#include "stdlib/stdlib_support.hpp"

using namespace flow;
using flow::test::call;
using flow::test::secret;

TEST_CASE("round rounds half away from zero, on the decimal as written") {
  CHECK(call("round", {2.5}) == Value(3));
  CHECK(call("round", {-2.5}) == Value(-3));
  CHECK(call("round", {2.4}) == Value(2));
  CHECK(call("round", {2.675, 2}) == Value(2.68));
  CHECK(call("round", {1.005, 2}) == Value(1.01));
  CHECK(call("round", {3.14159, 3}) == Value(3.142));
  CHECK(call("round", {1234.5, -2}) == Value(1200));
  CHECK(call("round", {0.1 + 0.2, 10}) == Value(0.3));
  CHECK(call("round", {1e300, 15}) == Value(1e300));
  REQUIRE_THROWS_WITH(call("round", {1, 16}), "round: digits must be between -15 and 15");
  REQUIRE_THROWS_WITH(call("round", {1, 0.5}), "round: expected a whole number, got 0.5");
  REQUIRE_THROWS_WITH(call("round", {"2.5"}), "round: expected number, got text");
  REQUIRE_THROWS_WITH(call("round", {Value()}), "round: expected number, got null");
}

TEST_CASE("round gives a whole number back unchanged, and every number of 2^52 or more") {
  CHECK(call("round", {1e15}) == Value(1e15));
  CHECK(call("round", {-1e15}) == Value(-1e15));
  CHECK(call("round", {4503599627370497.0}) == Value(4503599627370497.0));
  CHECK(call("round", {4503599627370495.5}) == Value(4503599627370496.0));  // below 2^52: a half still rounds
  CHECK(call("round", {9007199254740994.0, 2}) == Value(9007199254740994.0));
  CHECK(call("round", {1e18}) == Value(1e18));
  CHECK(call("round", {1e308}) == Value(1e308));
  CHECK(call("round", {-1.7976931348623157e308, -15}) == Value(-1.7976931348623157e308));
  // A millisecond timestamp: the half way point stays where it is written.
  CHECK(call("round", {1700000000000.499}) == Value(1700000000000.0));
  CHECK(call("round", {1700000000000.5}) == Value(1700000000001.0));
  CHECK(call("round", {-2.675, 2}) == Value(-2.68));
  CHECK(call("round", {9.995, 2}) == Value(10));
  CHECK(call("round", {0.0004, 3}) == Value(0));
  CHECK(call("round", {0.0005, 3}) == Value(0.001));
  CHECK(call("round", {950, -3}) == Value(1000));
  CHECK(call("round", {449, -3}) == Value(0));
}

TEST_CASE("floor ceil abs") {
  CHECK(call("floor", {2.7}) == Value(2));
  CHECK(call("floor", {-2.1}) == Value(-3));
  CHECK(call("ceil", {2.1}) == Value(3));
  CHECK(call("ceil", {-2.7}) == Value(-2));
  CHECK(call("abs", {-3.5}) == Value(3.5));
  CHECK(call("abs", {4}) == Value(4));
  REQUIRE_THROWS_WITH(call("floor", {"2"}), "floor: expected number, got text");
  REQUIRE_THROWS_WITH(call("ceil", {true}), "ceil: expected number, got boolean");
  REQUIRE_THROWS_WITH(call("abs", {Value()}), "abs: expected number, got null");
}

TEST_CASE("min and max take numbers or one list") {
  CHECK(call("min", {3, 1, 2}) == Value(1));
  CHECK(call("max", {3, 1, 2}) == Value(3));
  CHECK(call("max", {-1}) == Value(-1));
  CHECK(call("min", {Value(List{Value(5), Value(4)})}) == Value(4));
  CHECK(call("max", {Value(Json::parse("[1, 9, 2]"))}) == Value(9));
  REQUIRE_THROWS_WITH(call("min", {Value(List{})}), "min: expected at least one number");
  REQUIRE_THROWS_WITH(call("max", {1, "2"}), "max: expected number, got text");
  REQUIRE_THROWS_WITH(call("min", {Value(List{Value(1), Value("x")})}),
                      "min: expected number, got text");
}

TEST_CASE("sum adds numbers or one list, and Sum is its Kianda name") {
  CHECK(call("sum", {1, 2, 3.5}) == Value(6.5));
  CHECK(call("sum", {}) == Value(0));
  CHECK(call("sum", {Value(List{Value(1), Value(2)})}) == Value(3));
  CHECK(call("sum", {Value(Json::parse("[10, 20]"))}) == Value(30));
  CHECK(call("Sum", {4, 5}) == Value(9));
  REQUIRE_THROWS_WITH(call("sum", {1, Value()}), "sum: expected number, got null");
  REQUIRE_THROWS_WITH(call("Sum", {"1"}), "sum: expected number, got text");
}

TEST_CASE("to_number reads decimal text") {
  CHECK(call("to_number", {"3600"}) == Value(3600));
  CHECK(call("to_number", {" -2.5 "}) == Value(-2.5));
  CHECK(call("to_number", {"+7"}) == Value(7));
  CHECK(call("to_number", {"1e3"}) == Value(1000));
  CHECK(call("to_number", {42}) == Value(42));
  CHECK(call("to_number", {Value(Json("12"))}) == Value(12));
  CHECK(call("to_number", {Value(Json(12))}) == Value(12));
}

TEST_CASE("to_number rejects junk") {
  REQUIRE_THROWS_WITH(call("to_number", {"12abc"}), "to_number: \"12abc\" is not a number");
  REQUIRE_THROWS_WITH(call("to_number", {""}), "to_number: \"\" is not a number");
  REQUIRE_THROWS_WITH(call("to_number", {"nan"}), "to_number: \"nan\" is not a number");
  REQUIRE_THROWS_WITH(call("to_number", {"inf"}), "to_number: \"inf\" is not a number");
  REQUIRE_THROWS_WITH(call("to_number", {"1,000"}), "to_number: \"1,000\" is not a number");
  REQUIRE_THROWS_WITH(call("to_number", {"++1"}), "to_number: \"++1\" is not a number");
  REQUIRE_THROWS_WITH(call("to_number", {"0x10"}), "to_number: \"0x10\" is not a number");
  REQUIRE_THROWS_WITH(call("to_number", {secret("hunter2")}),
                      "to_number: " + test::kMask + " is not a number");
  REQUIRE_THROWS_WITH(call("to_number", {Value()}),
                      "to_number: expected text or number, got null");
  REQUIRE_THROWS_WITH(call("to_number", {true}),
                      "to_number: expected text or number, got boolean");
}

TEST_CASE("number results computed from secrets are secret") {
  CHECK(call("to_number", {secret("3600")}).secret);
  const Value secret_number = call("to_number", {secret("2.5")});
  CHECK(call("round", {secret_number}).secret);
  CHECK(call("abs", {secret_number}).secret);
  CHECK(call("sum", {1, secret_number}).secret);
  CHECK(call("max", {Value(List{Value(1), secret_number})}).secret);
  CHECK_FALSE(call("sum", {1, 2}).secret);
}
