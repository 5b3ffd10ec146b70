#include "engine/handler_reach.hpp"

#include <set>

#include "engine/program.hpp"

namespace flow {

namespace {

class Walk {
 public:
  explicit Walk(const ast::ProcessDecl& process) : process_(process) {}

  void handler(const ast::Handler& handler) {
    if (!seen_.insert(&handler).second) return;
    block(handler.body);
  }

  /// Handlers that run around it (`on load`, `on change`) count for their
  /// saves only: a field an `on load` computes for display is no change to keep.
  void around(const ast::Handler& handler) {
    const HandlerReach before = reach;
    this->handler(handler);
    reach.changes = before.changes;
  }

  HandlerReach reach;

 private:
  void block(const ast::Block& rules) {
    for (const auto& rule : rules) std::visit([this](const auto& node) { this->rule(node); }, rule.node);
  }

  void rule(const ast::SetRule&) { reach.changes = true; }
  void rule(const ast::ClearRule&) { reach.changes = true; }
  void rule(const ast::CallRule& call) {
    if (call.on_success || call.on_error || call.into) reach.changes = true;
  }
  void rule(const ast::SaveRule&) { reach.saves = true; }
  void rule(const ast::IfRule& branch) {
    block(branch.then_block);
    block(branch.else_block);
  }
  void rule(const ast::TriggerRule& trigger) {
    if (const auto* next = Program::handler(process_, trigger.handler.text)) handler(*next);
  }
  void rule(const ast::StartRule& start) {
    if (start.on_success) reach.changes = true;
  }
  void rule(const ast::ValidateRule&) {}
  void rule(const ast::FailRule&) {}
  void rule(const ast::LogRule&) {}

  const ast::ProcessDecl& process_;
  std::set<const ast::Handler*> seen_;
};

}  // namespace

HandlerReach reach_of(const ast::ProcessDecl& process, const ast::Handler& handler) {
  Walk walk(process);
  walk.handler(handler);
  for (const auto& other : process.handlers) {
    if (other.kind != ast::HandlerKind::button) walk.around(other);
  }
  return walk.reach;
}

}  // namespace flow
