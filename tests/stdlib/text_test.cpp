#include <catch2/catch.hpp>

#include "stdlib/stdlib_support.hpp"

using namespace flow;
using flow::test::call;
using flow::test::secret;

namespace {

Value list(std::initializer_list<Value> values) { return Value(List(values)); }

}  // namespace

TEST_CASE("upper and lower change ASCII letters only") {
  CHECK(call("upper", {"Bearer token-1"}) == Value("BEARER TOKEN-1"));
  CHECK(call("lower", {"Content-TYPE"}) == Value("content-type"));
  CHECK(call("upper", {"caf\xC3\xA9"}) == Value("CAF\xC3\xA9"));
  CHECK(call("upper", {Value()}) == Value(""));
  REQUIRE_THROWS_WITH(call("upper", {5}), "upper: expected text, got number");
  REQUIRE_THROWS_WITH(call("lower", {true}), "lower: expected text, got boolean");
}

TEST_CASE("nonempty is null for null and empty text, the value itself otherwise") {
  CHECK(call("nonempty", {""}).is_null());
  CHECK(call("nonempty", {Value()}).is_null());
  CHECK(call("nonempty", {Value(Json(""))}).is_null());
  CHECK(call("nonempty", {Value(Json(nullptr))}).is_null());
  CHECK(call("nonempty", {"r2"}) == Value("r2"));
  CHECK(call("nonempty", {" "}) == Value(" "));
  CHECK(call("nonempty", {0}) == Value(0));
  CHECK(call("nonempty", {Value(Json("r2"))}) == Value(Json("r2")));
  CHECK(call("nonempty", {secret("refresh-token-0123456789")}).secret);  // the value itself, taint and all
}

TEST_CASE("trim removes white space at both ends") {
  CHECK(call("trim", {"  \t token \r\n"}) == Value("token"));
  CHECK(call("trim", {"   "}) == Value(""));
  CHECK(call("trim", {"a b"}) == Value("a b"));
  CHECK(call("trim", {Value()}) == Value(""));
  REQUIRE_THROWS_WITH(call("trim", {Value(List{})}), "trim: expected text, got list");
}

TEST_CASE("length counts characters, list elements and json members") {
  CHECK(call("length", {"token"}) == Value(5));
  CHECK(call("length", {"caf\xC3\xA9"}) == Value(4));
  CHECK(call("length", {""}) == Value(0));
  CHECK(call("length", {Value()}) == Value(0));
  CHECK(call("length", {list({1, 2, 3})}) == Value(3));
  CHECK(call("length", {Value(Json::parse(R"([1, 2])"))}) == Value(2));
  CHECK(call("length", {Value(Json::parse(R"({"a": 1})"))}) == Value(1));
  CHECK(call("length", {Value(Json("abc"))}) == Value(3));
  REQUIRE_THROWS_WITH(call("length", {5}),
                      "length: expected text, list or json array/object, got number");
  REQUIRE_THROWS_WITH(call("length", {Value(Json(5))}),
                      "length: expected text, list or json array/object, got json");
}

TEST_CASE("contains looks for text in text, or a value in a list") {
  CHECK(call("contains", {"application/json; charset=utf-8", "json"}) == Value(true));
  CHECK(call("contains", {"text/html", "json"}) == Value(false));
  CHECK(call("contains", {"anything", ""}) == Value(true));
  CHECK(call("contains", {Value(), "x"}) == Value(false));
  CHECK(call("contains", {list({"a", "b"}), "b"}) == Value(true));
  CHECK(call("contains", {list({1, 2}), 3}) == Value(false));
  REQUIRE_THROWS_WITH(call("contains", {5, "5"}), "contains: expected text or list, got number");
  REQUIRE_THROWS_WITH(call("contains", {"5", 5}), "contains: expected text, got number");
}

TEST_CASE("starts_with and ends_with") {
  CHECK(call("starts_with", {"Bearer abc", "Bearer "}) == Value(true));
  CHECK(call("starts_with", {"bearer abc", "Bearer "}) == Value(false));
  CHECK(call("ends_with", {"report.csv", ".csv"}) == Value(true));
  CHECK(call("ends_with", {"csv", "report.csv"}) == Value(false));
  CHECK(call("ends_with", {Value(), ""}) == Value(true));
  REQUIRE_THROWS_WITH(call("starts_with", {1, "1"}), "starts_with: expected text, got number");
  REQUIRE_THROWS_WITH(call("ends_with", {"1", 1}), "ends_with: expected text, got number");
}

TEST_CASE("replace replaces every occurrence once") {
  CHECK(call("replace", {"a-b-c", "-", "+"}) == Value("a+b+c"));
  CHECK(call("replace", {"aaa", "a", "aa"}) == Value("aaaaaa"));
  CHECK(call("replace", {"abc", "x", "y"}) == Value("abc"));
  CHECK(call("replace", {"a b", " ", Value()}) == Value("ab"));
  REQUIRE_THROWS_WITH(call("replace", {"abc", "", "x"}), "replace: the text to replace is empty");
  REQUIRE_THROWS_WITH(call("replace", {"abc", "a", 1}), "replace: expected text, got number");
}

TEST_CASE("substring counts characters from 0") {
  CHECK(call("substring", {"2027-06-30", 0, 4}) == Value("2027"));
  CHECK(call("substring", {"2027-06-30", 5}) == Value("06-30"));
  CHECK(call("substring", {"caf\xC3\xA9s", 3, 1}) == Value("\xC3\xA9"));
  CHECK(call("substring", {"abc", 10}) == Value(""));
  CHECK(call("substring", {"abc", 1, 100}) == Value("bc"));
  CHECK(call("substring", {"abc", 1, 0}) == Value(""));
  REQUIRE_THROWS_WITH(call("substring", {"abc", -1}), "substring: start must not be negative");
  REQUIRE_THROWS_WITH(call("substring", {"abc", 0, -2}), "substring: length must not be negative");
  REQUIRE_THROWS_WITH(call("substring", {"abc", 1.5}),
                      "substring: expected a whole number, got 1.5");
  REQUIRE_THROWS_WITH(call("substring", {"abc", "1"}), "substring: expected number, got text");
}

TEST_CASE("split and join") {
  CHECK(call("split", {"a,b,,c", ","}) == list({"a", "b", "", "c"}));
  CHECK(call("split", {"a::b", "::"}) == list({"a", "b"}));
  CHECK(call("split", {"abc", ";"}) == list({"abc"}));
  CHECK(call("split", {"", ","}) == list({""}));
  CHECK(call("split", {"h\xC3\xA9!", ""}) == list({"h", "\xC3\xA9", "!"}));
  CHECK(call("join", {list({"a", 1, true, Value()}), "-"}) == Value("a-1-true-"));
  CHECK(call("join", {list({"x", "y"})}) == Value("xy"));
  CHECK(call("join", {Value(Json::parse(R"(["read", "write"])")), " "}) == Value("read write"));
  CHECK(call("join", {call("split", {"a b c", " "}), ","}) == Value("a,b,c"));
  REQUIRE_THROWS_WITH(call("split", {"abc", 1}), "split: expected text, got number");
  REQUIRE_THROWS_WITH(call("join", {"abc", ","}), "join: expected list, got text");
}

TEST_CASE("pad left-pads text and numbers (Kianda's Pad)") {
  CHECK(call("pad", {7, 3}) == Value("007"));
  CHECK(call("pad", {-7, 4}) == Value("-007"));
  CHECK(call("pad", {"ab", 5}) == Value("   ab"));
  CHECK(call("pad", {"ab", 5, "*"}) == Value("***ab"));
  CHECK(call("pad", {"abcdef", 3}) == Value("abcdef"));
  CHECK(call("pad", {"\xC3\xA9", 3, "\xC2\xB7"}) == Value("\xC2\xB7\xC2\xB7\xC3\xA9"));
  CHECK(call("pad", {1.5, 5}) == Value("001.5"));
  CHECK(call("pad", {Value(), 2}) == Value("  "));
  CHECK(call("Pad", {42, 5}) == Value("00042"));
  REQUIRE_THROWS_WITH(call("pad", {"a", 3, "ab"}), "pad: fill must be one character");
  REQUIRE_THROWS_WITH(call("pad", {"a", -1}), "pad: width must be between 0 and 10000");
  REQUIRE_THROWS_WITH(call("pad", {true, 3}), "pad: expected text or number, got boolean");
}

TEST_CASE("matches searches with an ECMAScript regex") {
  CHECK(call("matches", {"abc-123", "[0-9]+"}) == Value(true));
  CHECK(call("matches", {"abc-123", "^[0-9]+$"}) == Value(false));
  CHECK(call("matches", {"eyJhbGciOi", "^eyJ"}) == Value(true));
  CHECK(call("matches", {Value(), "^$"}) == Value(true));
  REQUIRE_THROWS_WITH(call("matches", {"abc", "(unclosed"}),
                      Catch::StartsWith("matches: invalid regular expression \"(unclosed\": "));
  REQUIRE_THROWS_WITH(call("matches", {"abc", std::string(513, 'a')}),
                      "matches: pattern is longer than 512 characters");
  REQUIRE_THROWS_WITH(call("matches", {std::string(32 * 1024 + 1, 'a'), "a"}),
                      "matches: text is longer than 32768 bytes");
  REQUIRE_THROWS_WITH(call("matches", {"abc", Value()}), "matches: expected text, got null");
}

TEST_CASE("matches handles the longest text it accepts without overflowing the stack") {
  const std::string longest(32 * 1024, 'a');
  CHECK(call("matches", {longest, "^(a|b)*$"}) == Value(true));
  CHECK(call("matches", {longest, "^((a|b)*)*$"}) == Value(true));
  CHECK(call("matches", {longest, "^(?:(?:(?:a|b)|c)|d)*$"}) == Value(true));
  CHECK(call("matches", {longest, "b$"}) == Value(false));
}

TEST_CASE("text results computed from secrets are secret") {
  const Value token = secret("s3cr3t-token-value");
  CHECK(call("upper", {token}).secret);
  CHECK(call("trim", {token}).secret);
  CHECK(call("length", {token}).secret);
  CHECK(call("contains", {token, "x"}).secret);
  CHECK(call("replace", {"Bearer X", "X", token}).secret);
  CHECK(call("substring", {token, 0, 4}).secret);
  CHECK(call("pad", {token, 40}).secret);
  CHECK(call("matches", {token, "^s3"}).secret);
  const Value parts = call("split", {token, "-"});
  CHECK(parts.secret);
  CHECK(parts.as<List>().at(0).secret);
  CHECK(call("join", {list({"a", token}), ","}).secret);
  CHECK_FALSE(call("upper", {"plain"}).secret);
  CHECK_FALSE(call("join", {list({"a", "b"}), ","}).secret);
}

TEST_CASE("error messages never quote a secret regex") {
  REQUIRE_THROWS_WITH(call("matches", {"abc", secret("(s3cr3t")}),
                      Catch::StartsWith("matches: invalid regular expression " + test::kMask + ": "));
}
