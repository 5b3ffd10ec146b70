#pragma once
// A built-in whose implementation is broken: it throws what no built-in may
// (a std::logic_error, not a RunError), as a bug in a function or a library would.

#include <span>
#include <stdexcept>

#include "engine/functions.hpp"

namespace flow::testing {

/// Adds `broken() -> text` to `functions`; every call throws std::logic_error.
inline void add_broken_function(FunctionRegistry& functions) {
  functions.add(FunctionSpec{"broken", 0, 0, ValueKind::text, {},
                             [](std::span<const Value>, const CallContext&) -> Value {
                               throw std::logic_error("broken() reached a state it cannot be in");
                             },
                             "broken() -> text"});
}

}  // namespace flow::testing
