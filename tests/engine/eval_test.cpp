// Member and index paths into JSON locals: read in place (engine/eval.cpp
// json_at), with the same results and secret taint as reading step by step.
#include "engine/eval.hpp"

#include <catch2/catch.hpp>

#include "grammar/parser.hpp"

namespace {

flow::Value eval_text(const std::string& text, const flow::Scope& scope) {
  flow::SourceSet sources;
  const auto file = sources.add("expr.flow", text);
  flow::Diagnostics diagnostics;
  const auto expr = flow::parse_expression(sources, file, diagnostics);
  REQUIRE(expr);
  return flow::evaluate(*expr, scope);
}

}  // namespace

TEST_CASE("paths into a JSON local read members, array items and keys", "[eval]") {
  std::map<std::string, flow::Value, std::less<>> locals;
  locals.emplace("doc", flow::Value(flow::Json::parse(
                            R"({"a": {"b": {"c": 3}}, "items": [{"id": "x"}, {"id": "y"}], "map": {"k v": true}})")));
  auto secret = flow::Value(flow::Json::parse(R"({"token": {"value": "t0p"}})"));
  secret.secret = true;
  locals.emplace("vault", std::move(secret));
  const flow::Scope scope{nullptr, &locals, nullptr, {}};

  CHECK(eval_text("doc.a.b.c", scope) == flow::Value(3));
  CHECK(eval_text("doc.items[1].id", scope) == flow::Value("y"));
  CHECK(eval_text("doc.items[0 + 1].id", scope) == flow::Value("y"));
  CHECK(eval_text("doc.map[\"k v\"]", scope) == flow::Value(true));
  CHECK(eval_text("doc.a.b", scope) == flow::Value(flow::Json::parse(R"({"c": 3})")));
  // Missing steps and steps into non-objects are null, as step by step.
  CHECK(eval_text("doc.a.x.y", scope).is_null());
  CHECK(eval_text("doc.items[5].id", scope).is_null());
  CHECK(eval_text("doc.items.id", scope).is_null());
  CHECK_THROWS_WITH(eval_text("doc.a.b.c.d", scope), Catch::Contains("cannot read '.d' of number"));
  // Taint comes from the root.
  CHECK(eval_text("vault.token.value", scope).secret);
  CHECK(eval_text("vault.token.value", scope) == flow::Value("t0p"));
  CHECK_FALSE(eval_text("doc.items[0].id", scope).secret);
}

TEST_CASE("indexes and time arithmetic out of range are null or errors, never undefined (found by fuzzing)", "[eval]") {
  std::map<std::string, flow::Value, std::less<>> locals;
  locals.emplace("doc", flow::Value(flow::Json::parse(R"({"items": [1, 2]})")));
  locals.emplace("wait", flow::Value(flow::Duration(std::chrono::hours(1))));
  locals.emplace("at", flow::Value(flow::TimePoint(std::chrono::seconds(1700000000))));
  const flow::Scope scope{nullptr, &locals, nullptr, {}};
  const std::string huge = "1" + std::string(30, '0');
  CHECK(eval_text("doc.items[" + huge + "]", scope).is_null());
  CHECK(eval_text("doc.items[0 - " + huge + "]", scope).is_null());
  CHECK_THROWS_WITH(eval_text("wait * " + huge, scope), Catch::Contains("time out of range"));
  CHECK_THROWS_WITH(eval_text("wait / 0." + std::string(30, '0') + "1", scope), Catch::Contains("time out of range"));
  CHECK(eval_text("at + wait - wait", scope) == locals.at("at"));
}

TEST_CASE("text joins anything, null as nothing, as in interpolation", "[eval]") {
  std::map<std::string, flow::Value, std::less<>> locals;
  locals.emplace("unset", flow::Value());
  const flow::Scope scope{nullptr, &locals, nullptr, {}};
  CHECK(eval_text("\"error: \" + unset", scope) == flow::Value("error: "));
  CHECK(eval_text("unset + \"x\"", scope) == flow::Value("x"));
  CHECK(eval_text("\"n=\" + 3", scope) == flow::Value("n=3"));
  CHECK(eval_text("\"${unset}\" + \"|\"", scope) == flow::Value("|"));
  CHECK_THROWS_WITH(eval_text("unset + 3", scope), Catch::Contains("cannot apply '+' to null and number"));
}

TEST_CASE("number literals with a power of ten have its value", "[eval]") {
  const flow::Scope scope{nullptr, nullptr, nullptr, {}};
  CHECK(eval_text("1e3", scope) == flow::Value(1000));
  CHECK(eval_text("2.5E-3", scope) == flow::Value(0.0025));
  CHECK(eval_text("1E+2 + 1", scope) == flow::Value(101));
  CHECK(eval_text("1.7976931348623157e308", scope) == flow::Value(1.7976931348623157e308));
}
