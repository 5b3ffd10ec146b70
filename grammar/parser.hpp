#pragma once
// Parsing: .flow text -> PEGTL parse tree -> typed AST (grammar/lower.cpp).

#include <chrono>
#include <optional>
#include <string_view>

#include "grammar/ast.hpp"
#include "grammar/diagnostics.hpp"

namespace flow {

/// Whether a literal of a parsed module names a value: the parser reports one
/// that does not (a number or duration out of range, an impossible date such
/// as `2026-02-30`) and keeps it, as written, its value unknown. Read from the
/// literal (`names_value`, set once where lowering reads its value), never parsed again.
bool names_a_value(const ast::NumberLiteral& literal);
bool names_a_value(const ast::DurationLiteral& literal);
bool names_a_value(const ast::DateTimeLiteral& literal);

/// Parses file `file` of `sources`. On a syntax error, reports it (with the exact
/// location and an error_message of the failed `must` point) and returns nullopt.
/// A literal that names no value (`2026-02-30`, `1e999`) is reported at it, and
/// the module still returned, so that it can be checked (names_a_value).
std::optional<ast::Module> parse_module(const SourceSet& sources, std::uint32_t file,
                                        Diagnostics& diagnostics);

/// Parses file `file` as typed at the REPL: one or more rules (a handler's
/// body, without the handler), or one expression. Errors as parse_module.
std::optional<ast::Block> parse_rules(const SourceSet& sources, std::uint32_t file, Diagnostics& diagnostics);
std::optional<ast::Expr> parse_expression(const SourceSet& sources, std::uint32_t file, Diagnostics& diagnostics);

/// A duration written as in a .flow file ("30s", "1.5h", "2 minutes"), for
/// command-line options; nullopt when `text` is not exactly one.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace flow
