#pragma once
// A deterministic, indented text dump of the AST (`flow check --dump-ast`), used by tests.

#include <string>

#include <vector>

#include "grammar/ast.hpp"
#include "grammar/source.hpp"

namespace flow {

/// One line per node, two spaces of indent per level, each node's start as `@line:col`
/// (clause headings such as `map` or `then` have no range and print none). Declarations
/// are grouped by kind: imports, datasources, processes, instances, schedules.
/// A string literal inside one of `hidden` (its file's, SourceFile::hidden: a
/// secret literal) dumps as that part's mask, as every excerpt shows it.
std::string dump_ast(const ast::Module& module, const std::vector<HiddenText>& hidden = {});
/// The same format for one expression, starting at indent 0.
std::string dump_expr(const ast::Expr& expr);

}  // namespace flow
