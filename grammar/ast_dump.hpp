#pragma once
// A deterministic, indented text dump of the AST (`flow check --dump-ast`), used by tests.

#include <string>

#include "grammar/ast.hpp"

namespace flow {

/// One line per node, two spaces of indent per level, each node's start as `@line:col`
/// (clause headings such as `map` or `then` have no range and print none). Declarations
/// are grouped by kind: imports, datasources, processes, instances, schedules.
std::string dump_ast(const ast::Module& module);
/// The same format for one expression, starting at indent 0.
std::string dump_expr(const ast::Expr& expr);

}  // namespace flow
