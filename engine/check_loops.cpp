// Handlers that set each other off without end: `trigger` cycles between
// button handlers, `on change` cycles between fields (`on change A { set B =
// B + 1; }  on change B { set A = A + 1; }`), and cycles mixing the two. At run
// time each one nests deeper until the interpreter's limit fails the run.
//
// Only what certainly happens is an edge: a rule at the top of a handler's body
// (a rule inside `if` may be the way out), and for a change, a `set` that
// always changes its field (`set B = B + 1`). `set B = A` may leave B as it
// was, which runs no handler, so a loop through it may end by itself.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/check_context.hpp"
#include "grammar/parser.hpp"

namespace flow::check {

namespace {

/// A literal that `field + literal` or `field - literal` always moves away from:
/// a non-zero number or duration (one out of range is not zero), a non-empty
/// text (for `+`).
bool moves(const ast::Expr& literal, ast::BinaryOp op) {
  if (const auto* number = std::get_if<ast::NumberLiteral>(&literal.node))
    return !names_a_value(*number) || number->value != 0;
  if (const auto* duration = std::get_if<ast::DurationLiteral>(&literal.node))
    return !names_a_value(*duration) || duration->value.count() != 0;
  if (const auto* text = std::get_if<ast::StringLiteral>(&literal.node)) return op == ast::BinaryOp::add && !text->parts.empty();
  return false;
}

bool is_field(const ast::Expr& expr, const std::string& field) {
  const auto* identifier = std::get_if<ast::Identifier>(&expr.node);
  return identifier && identifier->name == field;
}

/// `set F = F + 1`, `set F = F - 30s`, `set F = 1 + F`, `set F = F + "."`:
/// a value computed from the field's own that is never the same again.
bool always_changes(const ast::SetRule& set) {
  const auto* binary = std::get_if<ast::Binary>(&set.value.node);
  if (!binary || (binary->op != ast::BinaryOp::add && binary->op != ast::BinaryOp::sub)) return false;
  const auto& field = set.field.text;
  if (is_field(*binary->lhs, field)) return moves(*binary->rhs, binary->op);
  return binary->op == ast::BinaryOp::add && is_field(*binary->rhs, field) && moves(*binary->lhs, binary->op);
}

/// The button and change handlers of one process as a graph, in declaration
/// order; an edge is a rule that always runs the handler it leads to.
class HandlerLoops {
 public:
  explicit HandlerLoops(const ast::ProcessDecl& process) {
    for (const auto& handler : process.handlers) {
      if (handler.kind == ast::HandlerKind::load) continue;
      node_of(handler.kind, handler.name.text);
    }
    for (const auto& handler : process.handlers) {
      if (handler.kind == ast::HandlerKind::load) continue;
      const std::size_t from = node_of(handler.kind, handler.name.text);
      for (const auto& rule : handler.body) add_edge(from, rule);
    }
  }

  /// Reports each loop once, at the first rule of its earliest-declared handler.
  void report(Diagnostics& diagnostics) const {
    for (std::size_t start = 0; start < nodes_.size(); ++start) {
      std::vector<const Edge*> path;
      if (!find_loop(start, start, path)) continue;
      diagnostics.error(path.front()->at->range, describe(start, path) + ": every run nests deeper until it fails");
    }
  }

 private:
  struct Edge {
    std::size_t to;
    const ast::Name* at;  // the trigger's handler, the set's field
  };
  struct Node {
    ast::HandlerKind kind;
    std::string name;
    std::vector<Edge> out;
  };

  /// The node of a handler, added at its first declaration (a duplicate
  /// handler, reported elsewhere, adds its rules to the first).
  std::size_t node_of(ast::HandlerKind kind, const std::string& name) {
    const auto [it, added] = index_.emplace(std::make_pair(kind, name), nodes_.size());
    if (added) nodes_.push_back(Node{kind, name, {}});
    return it->second;
  }

  std::optional<std::size_t> find_node(ast::HandlerKind kind, const std::string& name) const {
    const auto it = index_.find(std::make_pair(kind, name));
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }

  void add_edge(std::size_t from, const ast::Rule& rule) {
    if (const auto* trigger = std::get_if<ast::TriggerRule>(&rule.node)) {
      if (const auto to = find_node(ast::HandlerKind::button, trigger->handler.text))
        nodes_[from].out.push_back(Edge{*to, &trigger->handler});
    } else if (const auto* set = std::get_if<ast::SetRule>(&rule.node); set && always_changes(*set)) {
      if (const auto to = find_node(ast::HandlerKind::change, set->field.text))
        nodes_[from].out.push_back(Edge{*to, &set->field});
    }
  }

  /// Depth-first from the end of `path` (`at` when it is empty) through nodes
  /// declared after `start` (earlier ones report their own loops) back to it.
  bool find_loop(std::size_t start, std::size_t at, std::vector<const Edge*>& path) const {
    for (const auto& edge : nodes_[at].out) {
      path.push_back(&edge);
      if (edge.to == start) return true;
      const bool seen = std::any_of(path.begin(), path.end() - 1, [&](const Edge* e) { return e->to == edge.to; });
      if (edge.to > start && !seen && find_loop(start, edge.to, path)) return true;
      path.pop_back();
    }
    return false;
  }

  /// "trigger loop Ping -> Pong -> Ping", "change loop A -> B -> A", and when
  /// both kinds are in it, "trigger and change loop Tick -> change A -> Tick".
  std::string describe(std::size_t start, const std::vector<const Edge*>& path) const {
    bool triggers = false, changes = false;
    for (const auto* edge : path) (nodes_[edge->to].kind == ast::HandlerKind::button ? triggers : changes) = true;
    const bool mixed = triggers && changes;
    const auto label = [&](std::size_t node) {
      const bool change = nodes_[node].kind == ast::HandlerKind::change;
      return (mixed && change ? "change " : "") + nodes_[node].name;
    };
    std::string chain = label(start);
    for (const auto* edge : path) chain += " -> " + label(edge->to);
    return std::string(mixed ? "trigger and change" : triggers ? "trigger" : "change") + " loop " + chain;
  }

  std::vector<Node> nodes_;
  std::map<std::pair<ast::HandlerKind, std::string>, std::size_t> index_;
};

}  // namespace

void Checker::check_handler_loops(const ast::ProcessDecl& process) { HandlerLoops(process).report(diagnostics_); }

}  // namespace flow::check
