#pragma once
// A deterministic, indented text dump of the AST (`flow check --dump-ast`), used by tests.

#include <string>

#include "grammar/ast.hpp"

namespace flow {

std::string dump_ast(const ast::Module& module);
std::string dump_expr(const ast::Expr& expr);

}  // namespace flow
