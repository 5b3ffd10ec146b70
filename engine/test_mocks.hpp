#pragma once
// The mocked side of `flow test`: what a mocked method was sent, as a test's
// expressions read it (`DS.M.last.body.refresh_token`), and the answer a
// `mock DS.M { ... }` step gives. engine/flow_tests.cpp queues the answers.

#include "engine/eval.hpp"
#include "engine/http_transport.hpp"
#include "engine/value.hpp"
#include "grammar/ast.hpp"

namespace flow {

/// What a mocked method was sent: method, url, path, query, headers (by name
/// as sent) and body (form and JSON bodies as objects, other text as it is).
/// With the `method` it was sent by, a query or body part whose name on the
/// wire is not its own is also under its own name (`query.per_page` beside
/// `query["per-page"]`): a test reads it by the name its mappings use.
Json request_record(const HttpRequest& request, const ast::MethodDecl* method = nullptr);

/// The answer `answer` gives: no answer at all for `fails KIND`, else its
/// status (default 200), headers and body, each expression evaluated in
/// `scope` (which binds `request`). Throws LocatedError.
HttpResult mocked_answer(const ast::MockAnswer& answer, const Scope& scope);

}  // namespace flow
