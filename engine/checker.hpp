#pragma once
// The static checker: every mistake a program can be shown to have before
// anything runs, reported as Diagnostics at the offending name or expression.
//
// It reports user-facing problems only. A broken invariant inside the checker
// is not a diagnostic: it throws std::logic_error like any other internal failure.
//
// Errors are what will certainly fail at run time (unknown names, undeclared
// request/response parts, values that can never convert to a field's type,
// impossible schedules, a literal base_url that is not http:// or https://,
// negative retries, client_cert without client_key or the reverse: each file
// is loaded for its own part only, so a file holding both is named twice; a
// literal ca_file, client_cert or client_key that cannot be read, relative
// paths from the declaring file's directory, as a call reads them).
// Warnings are what may be meant but is usually a mistake. Decisions:
// - A Process ID given as text (`instance("TK-9")`, a schedule's or start's
//   `id "TK-9"`) that no `instance` declares is a warning: the store may hold
//   it. Declared for another process, it is an error.
// - Warnings: insecure_skip_verify not literally false; a handler named like a
//   field; an interval under one minute; jitter not shorter than the interval;
//   retry 0 times, more than 10, or without backoff; a non-empty literal in a
//   secret field; a target mapped twice (the last wins); `datetime + text`
//   (legal concatenation, usually a missing duration); `==` / `!=` between
//   kinds that are never equal (`Count == "3"`: always false, or always true),
//   unless a side may be null (a test for null), in tests' `expect` too; a
//   schedule whose `expires` has passed (against check_program's `now`).
// - Kinds: what an operator or a field conversion accepts is asked of the
//   interpreter itself (apply_binary, coerce_to_field) on sample values, so
//   numeric text into a number field or ISO text into a datetime field passes.
// - Datasource settings and headers, and request defaults, read the fields of
//   the process that makes the call: their names are checked against each
//   process that calls the method (at the name, once per process).
// - A base_url given by env("NAME", "default") has its literal default
//   checked as a literal base_url is.
// - Warnings too: a call that sends a refresh_token and keeps none of its
//   answer's (a provider that rotates has spent the stored one); a test's
//   `env NAME` that no env() of the program reads. A mocked 2xx answer's body
//   member that no declared response body field reads is an error.
// - When a file failed to load, unknown datasources, processes and instances
//   are not reported (they may be that file's), so a syntax error does not
//   cascade.

#include "engine/functions.hpp"
#include "engine/program.hpp"
#include "grammar/diagnostics.hpp"

namespace flow {

/// Reports every problem of the program in one pass, in source order, with
/// what `diagnostics` holds already (the load's) put in that order too.
/// Import cycles and syntax errors are load_program's to report, not repeated
/// here; the modules that did parse are checked all the same, and no name the
/// file that did not might declare is reported unknown.
/// `now` is what a schedule's `expires` is compared with (`flow check` gives the
/// wall clock, tests a fixed instant); without it a past expiry is not reported.
void check_program(const Program& program, const FunctionRegistry& functions, Diagnostics& diagnostics,
                   std::optional<TimePoint> now = std::nullopt);

}  // namespace flow
