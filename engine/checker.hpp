#pragma once
// The static checker: every mistake a program can be shown to have before
// anything runs, reported as Diagnostics at the offending name or expression.
//
// It reports user-facing problems only. A broken invariant inside the checker
// is not a diagnostic: it throws std::logic_error like any other internal failure.
//
// Errors are what will certainly fail at run time (unknown names, undeclared
// request/response parts, values that can never convert to a field's type,
// impossible schedules). Warnings are what may be meant but is usually a
// mistake (a Process ID that only the store may hold, TLS verification off).

#include "engine/functions.hpp"
#include "engine/program.hpp"
#include "grammar/diagnostics.hpp"

namespace flow {

/// Reports every problem of the program in one pass, in source order.
/// Import cycles and syntax errors are load_program's to report, not repeated here.
void check_program(const Program& program, const FunctionRegistry& functions, Diagnostics& diagnostics);

}  // namespace flow
