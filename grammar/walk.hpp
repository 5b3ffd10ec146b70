#pragma once
// One walk over an expression and its sub-expressions, for the passes that
// look for a kind of node (env() calls, field reads) and compute nothing per
// node. A pass that types or evaluates each node visits the variant itself.

#include <functional>

#include "grammar/ast.hpp"

namespace flow::ast {

/// Which sub-expressions a walk reaches.
enum class Reach {
  every,       // all of them
  always_run,  // those evaluating the whole expression always evaluates: not the right of `and`, `or`, `??`
};

/// Calls `visit` on `expr`, then on each of its sub-expressions, depth-first
/// and left to right (the order evaluation meets them): a call's arguments,
/// an object before its index, the left of an operator before its right, the
/// parts interpolated into a string literal.
void for_each_subexpression(const Expr& expr, const std::function<void(const Expr&)>& visit,
                            Reach reach = Reach::every);

}  // namespace flow::ast
