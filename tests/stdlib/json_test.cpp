#include <catch2/catch.hpp>

#include "stdlib/stdlib_support.hpp"

using namespace flow;
using flow::test::at;
using flow::test::call;
using flow::test::secret;

TEST_CASE("json_parse returns json") {
  const Value body = call("json_parse", {R"({"access_token": "abc", "expires_in": 3600})"});
  REQUIRE(body.is<Json>());
  CHECK(body.as<Json>().at("expires_in") == 3600);
  CHECK(call("json_parse", {"3"}) == Value(Json(3)));
  CHECK(call("json_parse", {"[]"}) == Value(Json::array()));
}

TEST_CASE("json_parse reports where the text is broken, never the text") {
  REQUIRE_THROWS_WITH(call("json_parse", {R"({"a": tru})"}), "json_parse: invalid JSON at byte 10");
  REQUIRE_THROWS_WITH(call("json_parse", {""}), "json_parse: invalid JSON at byte 1");
  REQUIRE_THROWS_WITH(call("json_parse", {secret("{\"password\": hunter2}")}),
                      "json_parse: invalid JSON at byte 14");
  REQUIRE_THROWS_WITH(call("json_parse", {std::string(600, '[') + std::string(600, ']')}),
                      "json_parse: document is nested deeper than 512 levels");
  REQUIRE_THROWS_WITH(call("json_parse", {Value()}), "json_parse: expected text, got null");
  // A number past a double's range (found by fuzzing: it escaped as a Json exception).
  REQUIRE_THROWS_WITH(call("json_parse", {"[" + std::string(400, '2') + "]"}),
                      "json_parse: a number in the document is out of range");
  REQUIRE_THROWS_WITH(call("json_parse", {Value(Json::object())}),
                      "json_parse: expected text, got json");
}

TEST_CASE("to_json writes any value as JSON text") {
  CHECK(call("to_json", {"a\"b"}) == Value(R"("a\"b")"));
  CHECK(call("to_json", {2.5}) == Value("2.5"));
  CHECK(call("to_json", {Value()}) == Value("null"));
  CHECK(call("to_json", {Value(List{Value(1), Value("x"), Value(true)})}) ==
        Value(R"([1,"x",true])"));
  CHECK(call("to_json", {Value(Json::parse(R"({"b": [1, {"c": null}]})"))}) ==
        Value(R"({"b":[1,{"c":null}]})"));
  CHECK(call("to_json", {Value(at("2027-06-30T00:00:00Z"))}) == Value(R"("2027-06-30T00:00:00Z")"));
  CHECK(call("to_json", {"\xFF"}) == Value("\"\xEF\xBF\xBD\""));
}

TEST_CASE("to_json keeps secrets in clear but tainted") {
  const Value text = call("to_json", {Value(List{Value("id"), secret("s3cr3t")})});
  CHECK(text == Value(R"(["id","s3cr3t"])"));
  CHECK(text.secret);
  CHECK_FALSE(call("to_json", {Value(List{Value("id")})}).secret);
}

TEST_CASE("json_get walks a dotted path") {
  const Value doc(Json::parse(R"({"a": {"b": [{"c": "deep"}, {"c": 2}]}, "n": null})"));
  CHECK(call("json_get", {doc, "a.b[0].c"}) == Value("deep"));
  CHECK(call("json_get", {doc, "a.b[1].c"}) == Value(2));
  CHECK(call("json_get", {doc, "a.b"}) == Value(Json::parse(R"([{"c": "deep"}, {"c": 2}])")));
  CHECK(call("json_get", {doc, "a.missing"}) == Value());
  CHECK(call("json_get", {doc, "a.b[5]"}) == Value());
  CHECK(call("json_get", {doc, "n"}) == Value());
  REQUIRE_THROWS_WITH(call("json_get", {doc, "a.b[x]"}), "json_get: bad JSON path \"a.b[x]\"");
  REQUIRE_THROWS_WITH(call("json_get", {doc, "a.b[99999999999999999999999]"}),
                      "json_get: bad JSON path \"a.b[99999999999999999999999]\"");
  REQUIRE_THROWS_WITH(call("json_get", {"{}", "a"}), "json_get: expected json, got text");
  REQUIRE_THROWS_WITH(call("json_get", {doc, 1}), "json_get: expected text, got number");
}

TEST_CASE("json results computed from secrets are secret") {
  CHECK(call("json_parse", {secret(R"({"a": 1})")}).secret);
  const Value doc = call("json_parse", {secret(R"({"a": 1})")});
  CHECK(call("json_get", {doc, "a"}).secret);
  CHECK_FALSE(call("json_get", {call("json_parse", {R"({"a": 1})"}), "a"}).secret);
}
