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

namespace {

/// The texts evaluate_with_secret_spans reports secret, for `text`.
std::vector<std::string> secret_parts(const std::string& text, const flow::Scope& scope) {
  flow::SourceSet sources;
  const auto file = sources.add("expr.flow", text);
  flow::Diagnostics diagnostics;
  const auto expr = flow::parse_expression(sources, file, diagnostics);
  REQUIRE(expr);
  const auto [value, secret_spans] = flow::evaluate_with_secret_spans(*expr, scope);
  CHECK(value == flow::evaluate(*expr, scope));
  CHECK(value.secret == flow::evaluate(*expr, scope).secret);
  const auto whole = flow::to_text(value);
  std::vector<std::string> parts;
  for (const auto& span : secret_spans) {
    REQUIRE(span.begin + span.size <= whole.size());
    parts.push_back(whole.substr(span.begin, span.size));
  }
  return parts;
}

flow::Value secret(flow::Value value) {
  value.secret = true;
  return value;
}

using Parts = std::vector<std::string>;

}  // namespace

TEST_CASE("the secret spans of an interpolated text are those of its secret values, where they are", "[eval]") {
  std::map<std::string, flow::Value, std::less<>> locals;
  locals.emplace("tenant", secret(flow::Value("tenant-key")));
  locals.emplace("key", secret(flow::Value("k3y")));
  locals.emplace("host", flow::Value("h.example"));
  locals.emplace("count", secret(flow::Value(1000)));
  locals.emplace("since", secret(flow::Value(flow::TimePoint(std::chrono::seconds(1800000000)))));
  locals.emplace("unset", secret(flow::Value()));
  locals.emplace("vault", secret(flow::Value(flow::Json::parse(R"({"token": "t0p-secret"})"))));
  const flow::Scope scope{nullptr, &locals, nullptr, {}};

  // Several secret parts, each on its own, next to literal text and plain values.
  CHECK(secret_parts(R"("https://${host}/t/${tenant}?key=${key}&v=1")", scope) == Parts{"tenant-key", "k3y"});
  CHECK(secret_parts(R"("${tenant}${key}")", scope) == Parts{"tenant-key", "k3y"});
  CHECK(secret_parts(R"("id-${key}")", scope) == Parts{"k3y"});
  // Plain values and literal text are not reported.
  CHECK(secret_parts(R"("https://${host}/v1")", scope).empty());
  CHECK(secret_parts(R"("no parts")", scope).empty());
  // A value's span is its text as interpolated, not as written.
  CHECK(secret_parts(R"("n=${count}, twice ${count * 2}")", scope) == Parts{"1000", "2000"});
  CHECK(secret_parts(R"("since ${since}.")", scope) == Parts{"2027-01-15T08:00:00Z"});
  CHECK(secret_parts(R"("t=${vault.token}")", scope) == Parts{"t0p-secret"});
  // A null adds no text: no span, though the text is secret.
  CHECK(secret_parts(R"("[${unset}]")", scope).empty());
  // A literal nested in a part is inside that part's span.
  CHECK(secret_parts(R"("a ${"b ${key} c"} d")", scope) == Parts{"b k3y c"});
}

TEST_CASE("an expression that is not a string literal is secret as a whole or not at all", "[eval]") {
  std::map<std::string, flow::Value, std::less<>> locals;
  locals.emplace("key", secret(flow::Value("k3y")));
  locals.emplace("count", secret(flow::Value(1000)));
  locals.emplace("host", flow::Value("h.example"));
  locals.emplace("unset", secret(flow::Value()));
  const flow::Scope scope{nullptr, &locals, nullptr, {}};
  CHECK(secret_parts("key", scope) == Parts{"k3y"});
  CHECK(secret_parts(R"("id-" + key)", scope) == Parts{"id-k3y"});
  CHECK(secret_parts(R"("id-${key}" + "!")", scope) == Parts{"id-k3y!"});
  CHECK(secret_parts("count / 8", scope) == Parts{"125"});
  CHECK(secret_parts("host", scope).empty());
  CHECK(secret_parts("unset", scope).empty());
}

TEST_CASE("a message masks each secret span and keeps the rest", "[eval]") {
  flow::FieldMap fields;  // a secret field's value is a secret the run knows whole: its mask shows its tail
  fields.emplace("token",
                 flow::coerce_to_field(flow::Value("token-0123456789abcdef"), flow::ast::FieldType::secret, "token"));
  fields.emplace("pin", secret(flow::Value("1234")));
  fields.emplace("empty", secret(flow::Value("")));
  fields.emplace("unset", secret(flow::Value()));
  std::map<std::string, flow::Value, std::less<>> locals;
  locals.emplace("echo", secret(flow::Value("echoed-0123456789abcdef")));
  const flow::Scope scope{&fields, &locals, nullptr, {}};
  const auto message = [&](const std::string& text, bool reveal = false) {
    flow::SourceSet sources;
    const auto file = sources.add("expr.flow", text);
    flow::Diagnostics diagnostics;
    const auto expr = flow::parse_expression(sources, file, diagnostics);
    REQUIRE(expr);
    auto rendered = flow::render_message(*expr, scope);
    return reveal ? rendered.text : rendered.masked;
  };
  const std::string dots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";
  CHECK(message(R"("token ${token} and pin ${pin} kept")") == "token " + dots + "cdef and pin " + dots + " kept");
  CHECK(message(R"("token ${token}")", true) == "token token-0123456789abcdef");
  CHECK(message(R"("[${empty}|${unset}]")") == "[" + dots + "|]");
  CHECK(message(R"("pin " + pin)") == dots);
  CHECK(message("unset").empty());
  CHECK(message(R"("plain")") == "plain");
  // Of a text derived from a secret, or a local's, the tail is not the
  // secret's own: the mask alone.
  CHECK(message(R"("t=${token + "x"} t=${"x" + token} e=${echo}")") == "t=" + dots + " t=" + dots + " e=" + dots);
  CHECK(message(R"(token + "-suffix")") == dots);
}
