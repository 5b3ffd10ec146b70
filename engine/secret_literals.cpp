#include "engine/secret_literals.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "engine/rest_call.hpp"
#include "engine/value.hpp"
#include "grammar/credential_name.hpp"
#include "grammar/suggest.hpp"
#include "grammar/unit_hint.hpp"
#include "grammar/walk.hpp"

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
    for (const auto& datasource : module.datasources) {
      for (const auto& header : datasource.headers)
        if (header.credential) credential(header.value);
      for (const auto& method : datasource.methods)
        for (const auto& part : method.request)
          if (part.default_value && part.credential) credential(*part.default_value);
    }
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
  /// Whether `NAME = value` in `process` gives a secret: NAME is a secret
  /// field, or a typo the checker refuses that misspells_secret_field().
  static bool gives_secret(const ast::ProcessDecl& process, std::string_view name) {
    const auto* field = Program::field(process, name);
    return field ? field->type == ast::FieldType::secret : misspells_secret_field(process, name);
  }

  /// The string literals of an expression a secret field is given, at any
  /// length: every text it holds is part of the secret.
  void value(const ast::Expr& expr) {
    for (const auto& literal : carried_literals(expr, true)) {
      if (!literal.text) hide(*literal.expr, std::string(kSecretMask));
      else if (!literal.text->empty()) hide(*literal.expr, mask_secret(*literal.text));  // "" hides nothing
    }
  }

  /// A credential request part's value (`header "X-Api-Key" = "..."`): the
  /// literals that read as a credential written into the source. A template's
  /// own text (`"Bearer ${AccessToken}"`) is not, the secret is in the value it reads.
  void credential(const ast::Expr& expr) {
    for (const auto& literal : carried_literals(expr, false))
      if (reads_as_credential(literal, expr)) hide(*literal.expr, mask_secret(*literal.text));
  }

  void hide(const ast::Expr& expr, const std::string& mask) {
    // The literal's quotes go too: a masked secret is shown without quotes, everywhere.
    found[expr.range.file].push_back({expr.range.begin.offset, expr.range.end.offset, mask});
  }

  void assignments(const ast::ProcessDecl* process, const std::vector<ast::Assignment>& list) {
    for (const auto& a : list) {
      if (a.target.size() != 1) continue;
      if (process && gives_secret(*process, a.target[0].text)) value(a.value);
    }
  }

  void instance_values(const ast::InstanceDecl& instance) {
    assignments(program_.process(instance.process.text), instance.values);
  }

  /// A call's map entries for its method's credential parts (`body.client_secret`,
  /// `header.Auth` sent as Authorization), hidden as the parts' own literals are.
  void request(const ast::CallRule& call) {
    const auto* datasource = program_.datasource(call.datasource.text);
    const auto* method = datasource ? Program::method(*datasource, call.method.text) : nullptr;
    if (!method) return;
    for (const auto& a : call.map)
      if (const auto* part = mapped_part(*method, a.target); part && part->credential) credential(a.value);
  }

  void block(const ast::ProcessDecl& process, const ast::Block& rules) {
    for (const auto& rule : rules) {
      if (const auto* set = std::get_if<ast::SetRule>(&rule.node)) {
        if (gives_secret(process, set->field.text)) value(set->value);
      } else if (const auto* call = std::get_if<ast::CallRule>(&rule.node)) {
        request(*call);
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

/// The string literal whose opening quote is at `quote`: its text between the
/// quotes and the offset just past it (the end of `text` when it is not closed).
struct Literal {
  std::string_view content;
  std::size_t end;
};

Literal literal_at(std::string_view text, std::size_t quote) {
  for (std::size_t at = quote + 1; at < text.size(); ++at) {
    if (text[at] == '\\') ++at;
    else if (text[at] == '"') return {text.substr(quote + 1, at - quote - 1), at + 1};
  }
  return {text.substr(quote + 1), text.size()};
}

/// Where the comment at `at` ends, or `at` when none starts there.
std::size_t past_comment(std::string_view text, std::size_t at) {
  if (text.substr(at, 2) == "//") return std::min(text.find('\n', at), text.size());
  if (text.substr(at, 2) != "/*") return at;
  const auto close = text.find("*/", at + 2);
  return close == std::string_view::npos ? text.size() : close + 2;
}

/// Whether the text before `quote` ends with `env(`: the variable's name, not a secret.
bool names_variable(std::string_view text, std::size_t quote) {
  auto before = text.substr(0, quote);
  while (!before.empty() && (before.back() == ' ' || before.back() == '\t')) before.remove_suffix(1);
  return before.size() >= 4 && before.substr(before.size() - 4) == "env(";
}

/// Hides the literals of the value that starts at `at`, up to its statement's
/// end (`;`, a line break or `}`); returns where that is.
std::size_t hide_value_literals(std::string_view text, std::size_t at, std::vector<HiddenText>& out) {
  for (; at < text.size() && text[at] != ';' && text[at] != '\n' && text[at] != '}'; ++at) {
    if (text[at] != '"') continue;
    const auto literal = literal_at(text, at);
    if (!literal.content.empty() && !names_variable(text, at)) {  // "" hides nothing
      const bool interpolated = literal.content.find("${") != std::string_view::npos;
      out.push_back({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(literal.end),
                     interpolated ? std::string(kSecretMask) : mask_secret(literal.content)});
    }
    at = literal.end - 1;
  }
  return at;
}

}  // namespace

std::vector<CarriedLiteral> carried_literals(const ast::Expr& value, bool whole_templates) {
  std::vector<CarriedLiteral> found;
  std::vector<SourceRange> skipped;  // nodes whose sub-expressions are not looked at: they lie inside
  const ast::Expr* env_default = nullptr;
  ast::for_each_subexpression(value, [&](const ast::Expr& expr) {
    const auto at = expr.range.begin.offset;
    const auto inside = [at](const SourceRange& r) { return r.begin.offset <= at && at < r.end.offset; };
    if (std::any_of(skipped.begin(), skipped.end(), inside)) return;
    const auto skip = [&skipped](const ast::Expr& e) { skipped.push_back(e.range); };
    const auto* call = std::get_if<ast::Call>(&expr.node);
    if (call && call->callee.text == "env") {
      // env(NAME, default): the name is no secret, and says which variable is unset.
      if (!call->args.empty()) skip(call->args[0]);
      if (call->args.size() > 1) env_default = &call->args[1];
    } else if (call && call->callee.text == "json_get" && call->args.size() > 1) {
      skip(call->args[1]);  // a path (`"$.access_token"`) names a value, it is none
    } else if (const auto* index = std::get_if<ast::Index>(&expr.node)) {
      skip(*index->index);  // a key (`Body["access_token"]`), not a value
    } else if (auto text = literal_text(expr)) {
      found.push_back({&expr, std::move(text), &expr == env_default});
      skip(expr);
    } else if (whole_templates && std::holds_alternative<ast::StringLiteral>(expr.node)) {
      found.push_back({&expr, std::nullopt, &expr == env_default});
      skip(expr);
    }
  });
  return found;
}

bool misspells_secret_field(const ast::ProcessDecl& process, std::string_view name) {
  if (is_credential_name(name)) return true;
  const auto meant = closest_name(name, Program::field_names(process));
  const auto* field = meant ? Program::field(process, *meant) : nullptr;
  return field && field->type == ast::FieldType::secret;
}

bool reads_as_credential(const CarriedLiteral& literal, const ast::Expr& value) {
  if (!literal.text || literal.text->empty()) return false;  // "" hides nothing
  // Inside an expression, a short text is a separator or a prefix (`":"`, `"Basic "`).
  return literal.expr == &value || literal.text->size() >= kShortestCredential;
}

void hide_secret_literals(Program& program) {
  Finder finder(program);
  for (const auto& module : program.modules) finder.module(module);
  for (auto& [file, parts] : finder.found) program.sources.hide(file, std::move(parts));
}

std::vector<HiddenText> scan_secret_literals(std::string_view text,
                                             const std::function<bool(std::string_view)>& is_secret) {
  std::vector<HiddenText> hidden;
  std::string_view target;  // the name, or a quoted name's text, just before the scan position
  for (std::size_t at = 0; at < text.size();) {
    const char c = text[at];
    if (const auto end = past_comment(text, at); end != at) {
      at = end;
    } else if (c == '"') {
      const auto literal = literal_at(text, at);
      target = literal.content;
      at = literal.end;
    } else if (syntax::is_word_char(c)) {
      const auto begin = at;
      while (at < text.size() && syntax::is_word_char(text[at])) ++at;
      target = text.substr(begin, at - begin);
    } else if (c == '=' && text.substr(at, 2) != "==" && !target.empty() && is_secret(target)) {
      at = hide_value_literals(text, at + 1, hidden);
      target = {};
    } else {
      if (c != ' ' && c != '\t') target = {};
      ++at;
    }
  }
  return hidden;
}

std::vector<HiddenText> likely_secret_literals(std::string_view text) {
  // `field NAME secret`, and a request header whose name on the wire is a
  // credential's (`header Basic "Authorization"`, `header H "X-Key" secret`):
  // its NAME is what a call maps (`header.Basic = "..."`). Read leniently,
  // word by word: the file may not parse.
  std::set<std::string, std::less<>> names;
  const auto word_from = [&text](std::size_t at) {
    std::size_t end = at;
    while (end < text.size() && syntax::is_word_char(text[end])) ++end;
    return text.substr(at, end - at);
  };
  const auto past_spaces = [&text](std::size_t at) {  // at least one, or npos
    const auto end = text.find_first_not_of(" \t\n\r\f\v", at);
    return end == at ? std::string_view::npos : std::min(end, text.size());
  };
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (!syntax::is_word_char(text[at]) || (at > 0 && syntax::is_word_char(text[at - 1]))) continue;
    const auto keyword = word_from(at);
    at += keyword.size() - 1;
    if (keyword != "field" && keyword != "header") continue;
    const auto name_at = past_spaces(at + 1);
    if (name_at >= text.size() || std::isdigit(static_cast<unsigned char>(text[name_at]))) continue;
    const auto name = word_from(name_at);
    auto next_at = name.empty() ? std::string_view::npos : past_spaces(name_at + name.size());
    if (next_at >= text.size()) continue;
    if (keyword == "header" && text[next_at] == '"') {
      const auto wire = literal_at(text, next_at);
      if (is_credential_name(wire.content)) names.insert(std::string(name));
      next_at = past_spaces(wire.end);
    }
    if (next_at < text.size() && word_from(next_at) == "secret") names.insert(std::string(name));
  }
  return scan_secret_literals(text, [&names](std::string_view name) {
    return names.count(name) > 0 || is_credential_name(name);
  });
}

}  // namespace flow
