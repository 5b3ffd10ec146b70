#include "engine/unset_variables.hpp"

#include <algorithm>

#include "grammar/walk.hpp"

namespace flow {

namespace {

/// The name env(NAME) reads when NAME is a string literal with no `${}`.
std::optional<std::string> literal_env_name(const ast::Call& call) {
  if (call.callee.text != "env" || call.args.size() != 1) return std::nullopt;
  const auto* literal = std::get_if<ast::StringLiteral>(&call.args[0].node);
  if (!literal) return std::nullopt;
  std::string name;
  for (const auto& piece : literal->parts) {
    const auto* text = std::get_if<std::string>(&piece.part);
    if (!text) return std::nullopt;  // interpolated: not a name read from the source
    name += *text;
  }
  return name;
}

}  // namespace

std::optional<std::string> every_unset_variable(std::span<const ast::Expr* const> expressions,
                                                const SourceRange& failure, const CallContext& context) {
  std::optional<SourceRange> first;
  std::vector<UnsetVariable> unset;
  for (const auto* expression : expressions) {
    ast::for_each_subexpression(*expression, [&](const ast::Expr& e) {
      const auto* call = std::get_if<ast::Call>(&e.node);
      const auto name = call ? literal_env_name(*call) : std::nullopt;
      if (!name || environment_variable(*name, context)) return;
      if (!first) first = e.range;
      const bool named = std::any_of(unset.begin(), unset.end(), [&](const auto& u) { return u.written == *name; });
      if (!named) unset.push_back({*name, *name});
    }, ast::Reach::always_run);
  }
  if (unset.size() < 2 || first != failure) return std::nullopt;
  return unset_variables_message(unset, context.environment != nullptr);
}

}  // namespace flow
