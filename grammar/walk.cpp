#include "grammar/walk.hpp"

namespace flow::ast {

namespace {

class Walk {
 public:
  Walk(const std::function<void(const Expr&)>& visit, Reach reach) : visit_(visit), reach_(reach) {}

  void walk(const Expr& expr) {
    visit_(expr);
    std::visit([this](const auto& node) { descend(node); }, expr.node);
  }

 private:
  void descend(const NullLiteral&) {}
  void descend(const BoolLiteral&) {}
  void descend(const NumberLiteral&) {}
  void descend(const DurationLiteral&) {}
  void descend(const DateTimeLiteral&) {}
  void descend(const Identifier&) {}
  void descend(const StringLiteral& n) {
    for (const auto& piece : n.parts)
      if (const auto* expr = std::get_if<ExprPtr>(&piece.part)) walk(**expr);
  }
  void descend(const Member& n) { walk(*n.object); }  // the member's name is no expression
  void descend(const Index& n) {
    walk(*n.object);
    walk(*n.index);
  }
  void descend(const Call& n) {
    for (const auto& arg : n.args) walk(arg);
  }
  void descend(const Unary& n) { walk(*n.operand); }
  void descend(const Binary& n) {
    walk(*n.lhs);
    const bool short_circuit = n.op == BinaryOp::logical_and || n.op == BinaryOp::logical_or || n.op == BinaryOp::coalesce;
    if (reach_ == Reach::every || !short_circuit) walk(*n.rhs);
  }

  const std::function<void(const Expr&)>& visit_;
  Reach reach_;
};

}  // namespace

void for_each_subexpression(const Expr& expr, const std::function<void(const Expr&)>& visit, Reach reach) {
  Walk(visit, reach).walk(expr);
}

}  // namespace flow::ast
