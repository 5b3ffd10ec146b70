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
