#pragma once
// Every unset variable a failed evaluation needs, named at once: env() throws
// at the first it meets, and a user who sets that one would only meet the next.

#include <optional>
#include <span>
#include <string>

#include "engine/functions.hpp"
#include "grammar/ast.hpp"

namespace flow {

/// When `failure`, where evaluating `expressions` (in order, each whole)
/// failed, is the first of the calls env("NAME") (a literal name, no default)
/// they make whatever their values (none on the right of and, or, ??) whose
/// variable `context` finds unset, and those name more than one variable: one
/// message naming each once, in the order evaluation meets them. Else nullopt:
/// the failure says it alone.
std::optional<std::string> every_unset_variable(std::span<const ast::Expr* const> expressions,
                                                const SourceRange& failure, const CallContext& context);

}  // namespace flow
