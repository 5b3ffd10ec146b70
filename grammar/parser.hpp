#pragma once
// Parsing: .flow text -> PEGTL parse tree -> typed AST (grammar/lower.cpp).

#include <optional>

#include "grammar/ast.hpp"
#include "grammar/diagnostics.hpp"

namespace flow {

/// Parses file `file` of `sources`. On a syntax error, reports it (with the exact
/// location and an error_message of the failed `must` point) and returns nullopt.
std::optional<ast::Module> parse_module(const SourceSet& sources, std::uint32_t file,
                                        Diagnostics& diagnostics);

}  // namespace flow
