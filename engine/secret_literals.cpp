#include "engine/secret_literals.hpp"

#include <map>
#include <optional>

#include "engine/value.hpp"

namespace flow {

namespace {

/// The text of an expression made of string literals and `+` alone, or nullopt.
std::optional<std::string> literal_text(const ast::Expr& expr) {
  if (const auto* literal = std::get_if<ast::StringLiteral>(&expr.node)) {
    std::string text;
    for (const auto& part : literal->parts) {
      const auto* piece = std::get_if<std::string>(&part.part);
      if (!piece) return std::nullopt;
      text += *piece;
    }
    return text;
  }
  if (const auto* binary = std::get_if<ast::Binary>(&expr.node); binary && binary->op == ast::BinaryOp::add) {
    auto lhs = literal_text(*binary->lhs);
    auto rhs = lhs ? literal_text(*binary->rhs) : std::nullopt;
    if (rhs) return *lhs + *rhs;
  }
  return std::nullopt;
}

/// Collects the hidden parts, per file, while walking the program.
class Finder {
 public:
  explicit Finder(const Program& program) : program_(program) {}

  void module(const ast::Module& module) {
    for (const auto& process : module.processes) {
      for (const auto& field : process.fields)
        if (field.type == ast::FieldType::secret && field.default_value) value(*field.default_value);
      for (const auto& handler : process.handlers) block(process, handler.body);
    }
    for (const auto& instance : module.instances) instance_values(instance);
    for (const auto& test : module.tests)
      for (const auto& instance : test.instances) instance_values(instance);
  }

  std::map<std::uint32_t, std::vector<HiddenText>> found;

 private:
  /// The string literals of an expression a secret field is given.
  void value(const ast::Expr& expr) {
    if (const auto text = literal_text(expr)) {
      if (!text->empty()) hide(expr, mask_secret(*text));  // "" hides nothing
      return;
    }
    if (std::holds_alternative<ast::StringLiteral>(expr.node)) return hide(expr, mask_secret(""));
    if (const auto* binary = std::get_if<ast::Binary>(&expr.node)) {
      value(*binary->lhs);
      value(*binary->rhs);
    } else if (const auto* call = std::get_if<ast::Call>(&expr.node)) {
      // env(NAME, default): the name is no secret, and says which variable is unset.
      for (std::size_t i = call->callee.text == "env" ? 1 : 0; i < call->args.size(); ++i) value(call->args[i]);
    }
  }

  void hide(const ast::Expr& expr, const std::string& mask) {
    // The literal's quotes go too: a masked secret is shown without quotes, everywhere.
    found[expr.range.file].push_back({expr.range.begin.offset, expr.range.end.offset, mask});
  }

  void assignments(const ast::ProcessDecl* process, const std::vector<ast::Assignment>& list) {
    for (const auto& a : list) {
      if (a.target.size() != 1) continue;
      const auto* f = process ? Program::field(*process, a.target[0].text) : nullptr;
      if (f && f->type == ast::FieldType::secret) value(a.value);
    }
  }

  void instance_values(const ast::InstanceDecl& instance) {
    assignments(program_.process(instance.process.text), instance.values);
  }

  void block(const ast::ProcessDecl& process, const ast::Block& rules) {
    for (const auto& rule : rules) {
      if (const auto* set = std::get_if<ast::SetRule>(&rule.node)) {
        const auto* f = Program::field(process, set->field.text);
        if (f && f->type == ast::FieldType::secret) value(set->value);
      } else if (const auto* call = std::get_if<ast::CallRule>(&rule.node)) {
        if (call->on_success) assignments(&process, *call->on_success);
        if (call->on_error) assignments(&process, *call->on_error);
      } else if (const auto* branch = std::get_if<ast::IfRule>(&rule.node)) {
        block(process, branch->then_block);
        block(process, branch->else_block);
      } else if (const auto* start = std::get_if<ast::StartRule>(&rule.node)) {
        assignments(program_.process(start->process.text), start->map);
        if (start->on_success) assignments(&process, *start->on_success);
      }
    }
  }

  const Program& program_;
};

}  // namespace

void hide_secret_literals(Program& program) {
  Finder finder(program);
  for (const auto& module : program.modules) finder.module(module);
  for (auto& [file, parts] : finder.found) program.sources.hide(file, std::move(parts));
}

}  // namespace flow
