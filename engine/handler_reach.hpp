#pragma once
// What running a handler may do to its instance, read from the rules alone:
// whether it may change fields, and whether it may save. `flow check` warns
// about a scheduled handler that changes fields and never saves: each run of
// the daemon would log `ok` and keep nothing.

#include "grammar/ast.hpp"

namespace flow {

struct HandlerReach {
  bool changes = false;  // a `set`, a `clear`, or a call's or start's mapping back into fields
  bool saves = false;    // a `save` on some path
};

/// What `handler` of `process` may do, following its `trigger`s to the
/// process's other handlers; its `on load` and `on change` handlers run
/// around it and count for their saves (not their changes).
HandlerReach reach_of(const ast::ProcessDecl& process, const ast::Handler& handler);

}  // namespace flow
