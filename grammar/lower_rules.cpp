// Lowering of rules (the statements inside `on` handlers) and assignments.

#include "grammar/grammar.hpp"
#include "grammar/lower.hpp"

namespace flow::syntax {
namespace {

ast::CallKind call_kind_of(std::string_view word) {
  if (word == "update_item") return ast::CallKind::update_item;
  if (word == "delete_item") return ast::CallKind::delete_item;
  if (word == "find_item") return ast::CallKind::find_item;
  return ast::CallKind::create_item;
}

}  // namespace

// assignment: [target_name | string_lit ..., expression]
ast::Assignment Lowerer::assignment(const Node& node) const {
  ast::Assignment result{{}, expression(*node.children.back()), range(node)};
  for (std::size_t i = 0; i + 1 < node.children.size(); ++i) {
    const Node& segment = *node.children[i];
    if (segment.is_type<target_name>()) {
      result.target.push_back(name(segment));
    } else {
      result.target.push_back(ast::Name{constant_string(segment), range(segment)});
    }
  }
  return result;
}

std::vector<ast::Assignment> Lowerer::assignments(const Node& parent) const {
  std::vector<ast::Assignment> result;
  for (const auto& child : parent.children)
    if (child->is_type<syntax::assignment>()) result.push_back(assignment(*child));
  return result;
}

// rule_block: [rule...]
ast::Block Lowerer::rule_block(const Node& node) const {
  ast::Block block;
  for (const auto& child : node.children) block.push_back(rule(*child));
  return block;
}

ast::Rule Lowerer::rule(const Node& node) const {
  const auto at = [&](auto&& value) { return ast::Rule{std::move(value), range(node)}; };
  const auto& kids = node.children;
  if (node.is_type<set_rule>()) return at(ast::SetRule{name(*kids[0]), expression(*kids[1])});
  if (node.is_type<clear_rule>()) return at(ast::ClearRule{name(*kids[0])});
  if (node.is_type<syntax::call_rule>()) return call_rule(node);
  if (node.is_type<save_rule>()) return at(ast::SaveRule{});
  if (node.is_type<syntax::if_rule>()) return if_rule(node);
  if (node.is_type<validate_rule>()) return at(ast::ValidateRule{expression(*kids[0]), expression(*kids[1])});
  if (node.is_type<fail_rule>()) return at(ast::FailRule{expression(*kids[0])});
  if (node.is_type<log_rule>()) return at(ast::LogRule{expression(*kids[0])});
  if (node.is_type<trigger_rule>()) return at(ast::TriggerRule{name(*kids[0])});
  if (node.is_type<syntax::start_rule>()) return start_rule(node);
  fail(node, "internal error: unexpected rule node " + std::string(node.type));
}

// call_rule: [call_kind, datasource_name, method_name, map_clause?, success_clause?,
//             error_clause?, into_clause? [field_name]]
ast::Rule Lowerer::call_rule(const Node& node) const {
  const auto& kids = node.children;
  ast::CallRule call;
  call.kind = call_kind_of(kids[0]->string_view());
  call.datasource = name(*kids[1]);
  call.method = name(*kids[2]);
  for (std::size_t i = 3; i < kids.size(); ++i) {
    const Node& clause = *kids[i];
    if (clause.is_type<map_clause>()) call.map = assignments(clause);
    if (clause.is_type<success_clause>()) call.on_success = assignments(clause);
    if (clause.is_type<error_clause>()) call.on_error = assignments(clause);
    if (clause.is_type<into_clause>()) {
      if (call.kind != ast::CallKind::find_item) fail(clause, "'into' is only allowed on find_item");
      call.into = name(*clause.children.front());
    }
  }
  return ast::Rule{std::move(call), range(node)};
}

// if_rule: [expression, rule_block, else_clause? [if_rule | rule_block]]
ast::Rule Lowerer::if_rule(const Node& node) const {
  const auto& kids = node.children;
  ast::IfRule result{expression(*kids[0]), rule_block(*kids[1]), {}};
  if (kids.size() > 2) {
    const Node& body = *kids[2]->children.front();
    if (body.is_type<syntax::if_rule>()) {
      result.else_block.push_back(if_rule(body));
    } else {
      result.else_block = rule_block(body);
    }
  }
  return ast::Rule{std::move(result), range(node)};
}

// start_rule: [process_name, id_clause? [expression], map_clause?, start_trigger [handler_name],
//              success_clause?]
ast::Rule Lowerer::start_rule(const Node& node) const {
  ast::StartRule start{name(*node.children.front()), std::nullopt, {}, {}, std::nullopt};
  for (std::size_t i = 1; i < node.children.size(); ++i) {
    const Node& clause = *node.children[i];
    if (clause.is_type<id_clause>()) start.id = expression(*clause.children.front());
    if (clause.is_type<map_clause>()) start.map = assignments(clause);
    if (clause.is_type<start_trigger>()) start.handler = name(*clause.children.front());
    if (clause.is_type<success_clause>()) start.on_success = assignments(clause);
  }
  return ast::Rule{std::move(start), range(node)};
}

}  // namespace flow::syntax
