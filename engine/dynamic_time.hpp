#pragma once
// A dynamic schedule's time (`at EXPR`) on one instance, or why it has none:
// not computable yet (fields it reads are still null: the first refresh has
// not run), or an error (jwt_claims of a token that is no JWT). The daemon and
// `flow test` log it (engine/task_runner.cpp); `flow tasks list FILE` shows it.

#include <optional>
#include <string>
#include <vector>

#include "engine/eval.hpp"
#include "grammar/diagnostics.hpp"

namespace flow {

struct DynamicTime {
  std::optional<TimePoint> at;
  /// When there is no time and the expression reads fields that are null:
  /// their names, in the order it reads them. The time is not known *yet*.
  std::vector<std::string> null_fields;
  /// When there is no time otherwise: why, at the expression that failed,
  /// secrets masked.
  std::optional<Diagnostic> error;
};

/// `at` evaluated in `scope`, whose fields are the instance's.
DynamicTime dynamic_time(const ast::Expr& at, const Scope& scope);

/// The fields `expr` reads (by bare name) that are null in `fields`, in the
/// order it reads them, once each.
std::vector<std::string> null_fields_read(const ast::Expr& expr, const FieldMap& fields);

/// "ExpiresIn is null", "CreatedAt and ExpiresIn are null", "A, B and C are null"
/// (`of` names the instance: "ExpiresIn of TK-1 is null").
std::string null_fields_text(const std::vector<std::string>& names, const std::string& of = "");

}  // namespace flow
