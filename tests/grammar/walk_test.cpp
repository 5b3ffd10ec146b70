// grammar/walk.cpp: the one walk over an expression's sub-expressions.

#include "grammar/walk.hpp"

#include <catch2/catch.hpp>

#include "grammar/ast_dump.hpp"
#include "grammar/parser.hpp"

namespace {

/// The first dump line of each node the walk visits in `expr` (written as the
/// value of `set X = <expr>;`), one per line, in the order visited.
std::string walk_visits(const std::string& expr, flow::ast::Reach reach) {
  flow::SourceSet sources;
  const auto file = sources.add("test.flow", "process P {\n on H {\nset X = " + expr + ";\n }\n}\n");
  flow::Diagnostics diagnostics;
  const auto module = flow::parse_module(sources, file, diagnostics);
  REQUIRE(module);
  const auto& rule = module->processes.at(0).handlers.at(0).body.at(0);
  std::string visits;
  flow::ast::for_each_subexpression(std::get<flow::ast::SetRule>(rule.node).value, [&](const flow::ast::Expr& e) {
    const auto dump = flow::dump_expr(e);
    visits += dump.substr(0, dump.find('\n') + 1);
  }, reach);
  return visits;
}

}  // namespace

TEST_CASE("a walk visits an expression, then its sub-expressions left to right, depth first") {
  CHECK(walk_visits("f(a.b[1], -x) + \"t ${y}\"", flow::ast::Reach::every) ==
        "binary + @3:9\n"
        "call f @3:9\n"
        "index @3:11\n"
        "member .b @3:11\n"
        "ident a @3:11\n"
        "number 1 @3:15\n"
        "unary - @3:19\n"
        "ident x @3:20\n"
        "string @3:25\n"
        "ident y @3:30\n");
}

TEST_CASE("a walk of what always runs leaves out the right of and, or, ??") {
  const std::string expr = "(a and b) or (c ?? d) == (e + f)";
  CHECK(walk_visits(expr, flow::ast::Reach::always_run) ==
        "binary or @3:9\n"
        "binary and @3:9\n"
        "ident a @3:10\n");
  CHECK(walk_visits("(c ?? d) == (e + f)", flow::ast::Reach::always_run) ==
        "binary == @3:9\n"
        "binary ?? @3:9\n"
        "ident c @3:10\n"
        "binary + @3:21\n"
        "ident e @3:22\n"
        "ident f @3:26\n");
  CHECK(walk_visits(expr, flow::ast::Reach::every).find("ident d") != std::string::npos);
}
