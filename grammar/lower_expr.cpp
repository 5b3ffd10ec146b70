// Lowering of expressions and literals, plus the helpers every lowering file uses.

#include <charconv>
#include <cmath>

#include <date/date.h>

#include "grammar/grammar.hpp"
#include "grammar/iso_date.hpp"
#include "grammar/lower.hpp"

namespace flow::syntax {
namespace {

SourcePos position_of(const tao::pegtl::internal::iterator& it) {
  return SourcePos{static_cast<std::uint32_t>(it.line), static_cast<std::uint32_t>(it.column),
                   static_cast<std::uint32_t>(it.byte)};
}

/// Appends the UTF-8 encoding of code point `cp` (from a `\uXXXX` escape).
void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// Decodes one escape node's text (`\n`, `\"`, `\u00e9`).
void append_escape(std::string& out, std::string_view text) {
  switch (text[1]) {
    case 'n': out += '\n'; return;
    case 'r': out += '\r'; return;
    case 't': out += '\t'; return;
    case 'u': {
      unsigned cp = 0;
      std::from_chars(text.data() + 2, text.data() + text.size(), cp, 16);
      append_utf8(out, cp);
      return;
    }
    default: out += text[1]; return;  // \" \\ \/ \$
  }
}

/// Milliseconds per unit as written after a duration's number; 0 if unknown.
std::int64_t unit_millis(std::string_view unit) {
  if (!unit.empty() && unit.back() == 's' && unit.size() > 2) unit.remove_suffix(1);  // plural
  if (unit == "ms" || unit == "millisecond") return 1;
  if (unit == "s" || unit == "second") return 1000;
  if (unit == "m" || unit == "minute") return 60'000;
  if (unit == "h" || unit == "hour") return 3'600'000;
  if (unit == "d" || unit == "day") return 86'400'000;
  if (unit == "w" || unit == "week") return 604'800'000;
  return 0;
}

/// Binary operator of a comparison/sum/product operator node.
ast::BinaryOp binary_op(const Node& op) {
  if (op.is_type<op_mul>()) return ast::BinaryOp::mul;
  if (op.is_type<op_div>()) return ast::BinaryOp::div;
  if (op.is_type<op_add>()) return ast::BinaryOp::add;
  if (op.is_type<op_sub>()) return ast::BinaryOp::sub;
  if (op.is_type<op_eq>()) return ast::BinaryOp::eq;
  if (op.is_type<op_ne>()) return ast::BinaryOp::ne;
  if (op.is_type<op_lt>()) return ast::BinaryOp::lt;
  if (op.is_type<op_le>()) return ast::BinaryOp::le;
  if (op.is_type<op_gt>()) return ast::BinaryOp::gt;
  return ast::BinaryOp::ge;
}

// A chain `a + b + ... ` lowers to a left-deep tree whose dump and destructor
// recurse once per operator; past this many, refuse rather than risk the stack.
constexpr std::size_t kMaxChain = 1000;

constexpr const char* kNumberOutOfRange =
    "number out of range: a number is 0 or between about 2.2e-308 and 1.8e308 in size";

}  // namespace

SourceRange Lowerer::range(const Node& node) const {
  return SourceRange{file_, position_of(node.m_begin), position_of(node.m_end)};
}

SourceRange Lowerer::range(const Node& first, const Node& last) const {
  return SourceRange{file_, position_of(first.m_begin), position_of(last.m_end)};
}

ast::Name Lowerer::name(const Node& node) const { return ast::Name{node.string(), range(node)}; }

void Lowerer::fail(const Node& node, std::string message) const {
  throw LowerError{range(node), std::move(message)};
}

ast::Expr Lowerer::expression(const Node& node) const {
  // An `expression` node wraps exactly one folded subtree (a parenthesis, too).
  if (node.is_type<syntax::expression>()) return expression(*node.children.front());
  return expression_node(node);
}

ast::Expr Lowerer::expression_node(const Node& node) const {
  const auto at = [&](auto&& value) { return ast::Expr{std::move(value), range(node)}; };
  if (node.is_type<number_lit>()) return at(number(node));
  if (node.is_type<duration_lit>()) return at(duration(node));
  if (node.is_type<datetime_lit>()) return at(datetime(node));
  if (node.is_type<string_lit>()) return at(string_literal(node));
  if (node.is_type<kw_true>()) return at(ast::BoolLiteral{true});
  if (node.is_type<kw_false>()) return at(ast::BoolLiteral{false});
  if (node.is_type<kw_null>()) return at(ast::NullLiteral{});
  if (node.is_type<ident>()) return at(ast::Identifier{node.string()});
  if (node.is_type<syntax::call>()) return call(node);
  if (node.is_type<postfix>()) return postfix_chain(node);
  if (node.is_type<negative>() || node.is_type<not_expr>()) {
    const auto op = node.is_type<negative>() ? ast::UnaryOp::negate : ast::UnaryOp::logical_not;
    return at(ast::Unary{op, std::make_unique<ast::Expr>(expression(*node.children.front()))});
  }
  if (node.is_type<product>() || node.is_type<sum>() || node.is_type<coalesce>() ||
      node.is_type<comparison>() || node.is_type<conjunction>() || node.is_type<disjunction>())
    return binary_chain(node);
  if (node.is_type<paren_expr>()) {
    ast::Expr inner = expression(*node.children.front());
    inner.range = range(node);  // `(a + b)` spans its parentheses
    return inner;
  }
  if (node.is_type<syntax::expression>()) return expression(node);
  fail(node, "internal error: unexpected expression node " + std::string(node.type));
}

// product/sum/comparison: [operand, op, operand, op, ...];
// coalesce/conjunction/disjunction: [operand, operand, ...] (one operator each).
ast::Expr Lowerer::binary_chain(const Node& node) const {
  const auto& kids = node.children;
  if (kids.size() > 2 * kMaxChain) fail(node, "expression too long (more than 1000 operators in a row)");
  const bool has_ops = !(node.is_type<coalesce>() || node.is_type<conjunction>() || node.is_type<disjunction>());
  const auto fixed_op = node.is_type<coalesce>()      ? ast::BinaryOp::coalesce
                        : node.is_type<conjunction>() ? ast::BinaryOp::logical_and
                                                      : ast::BinaryOp::logical_or;
  ast::Expr result = expression(*kids.front());
  const std::size_t stride = has_ops ? 2 : 1;
  for (std::size_t i = stride; i < kids.size(); i += stride) {
    const auto op = has_ops ? binary_op(*kids[i - 1]) : fixed_op;
    // The operand's own range: a folded operand node may not carry its end.
    auto rhs = std::make_unique<ast::Expr>(expression(*kids[i]));
    SourceRange whole{file_, result.range.begin, rhs->range.end};
    auto lhs = std::make_unique<ast::Expr>(std::move(result));
    result = ast::Expr{ast::Binary{op, std::move(lhs), std::move(rhs)}, whole};
  }
  return result;
}

// postfix: [primary, (member [member_name] | index [expression])...]
ast::Expr Lowerer::postfix_chain(const Node& node) const {
  const auto& kids = node.children;
  if (kids.size() > kMaxChain) fail(node, "expression too long (more than 1000 '.' or '[...]' in a row)");
  ast::Expr result = expression(*kids.front());
  for (std::size_t i = 1; i < kids.size(); ++i) {
    const Node& step = *kids[i];
    SourceRange whole{file_, result.range.begin, range(step).end};
    auto object = std::make_unique<ast::Expr>(std::move(result));
    if (step.is_type<member>()) {
      result = ast::Expr{ast::Member{std::move(object), name(*step.children.front())}, whole};
    } else {
      auto index = std::make_unique<ast::Expr>(expression(*step.children.front()));
      result = ast::Expr{ast::Index{std::move(object), std::move(index)}, whole};
    }
  }
  return result;
}

// call: [ident, expression...]
ast::Expr Lowerer::call(const Node& node) const {
  ast::Call result{name(*node.children.front()), {}};
  for (std::size_t i = 1; i < node.children.size(); ++i) result.args.push_back(expression(*node.children[i]));
  return ast::Expr{std::move(result), range(node)};
}

// string_lit (and its named variants): [string_text | escape | interpolation [expression]]...
ast::StringLiteral Lowerer::string_literal(const Node& node) const {
  ast::StringLiteral result;
  for (const auto& part : node.children) {
    if (part->is_type<interpolation>()) {
      result.parts.push_back({std::make_unique<ast::Expr>(expression(*part->children.front()))});
      continue;
    }
    if (result.parts.empty() || !std::holds_alternative<std::string>(result.parts.back().part))
      result.parts.push_back({std::string()});
    auto& text = std::get<std::string>(result.parts.back().part);
    if (part->is_type<escape>()) {
      append_escape(text, part->string_view());
    } else {
      text += part->string_view();
    }
  }
  return result;
}

std::string Lowerer::constant_string(const Node& node) const {
  std::string text;
  for (auto& part : string_literal(node).parts) {
    if (!std::holds_alternative<std::string>(part.part)) fail(node, "interpolation '${...}' is not allowed here");
    text += std::get<std::string>(part.part);
  }
  return text;
}

std::optional<double> number_value(std::string_view text) {
  double value = 0;
  if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc()) return std::nullopt;
  return value;
}

std::optional<ast::Milliseconds> duration_value(std::string_view text) {
  constexpr double kMaxMillis = 9.0e15;  // well inside int64, and exact in a double
  const auto unit_at = text.find_first_not_of("0123456789.");
  double amount = 0;
  std::from_chars(text.data(), text.data() + unit_at, amount);
  auto unit = text.substr(unit_at);
  unit.remove_prefix(std::min(unit.find_first_not_of(" \t"), unit.size()));
  const double millis = std::round(amount * static_cast<double>(unit_millis(unit)));
  if (!(millis < kMaxMillis)) return std::nullopt;
  return ast::Milliseconds{static_cast<std::int64_t>(millis)};
}

void Lowerer::note_error(LowerError error) const { noted_errors_.push_back(std::move(error)); }

ast::NumberLiteral Lowerer::number(const Node& node) const {
  const auto value = number_value(node.string_view());
  if (!value) note_error({range(node), kNumberOutOfRange});
  return ast::NumberLiteral{value.value_or(0), node.string(), value.has_value()};
}

// duration_lit: "500ms", "1.5h", "30 seconds" (content only).
ast::DurationLiteral Lowerer::duration(const Node& node) const {
  const auto value = duration_value(node.string_view());
  if (!value) note_error({range(node), "duration is too large"});
  return ast::DurationLiteral{value.value_or(ast::Milliseconds{0}), node.string(), value.has_value()};
}

// datetime_lit: [date_part, time_part?, zone_part?], read as every ISO 8601
// text is (grammar/iso_date.hpp); the grammar admits only its `T` form.
ast::DateTimeLiteral Lowerer::datetime(const Node& node) const {
  const auto parsed = parse_iso(node.string_view());
  if (!parsed) {
    note_error(invalid_datetime(node));
    return ast::DateTimeLiteral{ast::SysTime{}, node.children.size() == 1, node.string(), false, false};
  }
  ast::DateTimeLiteral result{ast::SysTime{parsed->local.time_since_epoch()}, node.children.size() == 1, node.string(),
                              parsed->offset.has_value(), true};
  if (parsed->offset) result.value -= *parsed->offset;
  return result;
}

LowerError Lowerer::invalid_datetime(const Node& node) const {
  // The first part that makes the text so far unreadable is the one to name.
  std::string so_far;
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    const Node& part = *node.children[i];
    so_far += (part.is_type<time_part>() ? "T" : "") + part.string();
    if (parse_iso(so_far)) continue;
    const char* what = i == 0 ? "invalid date '" : part.is_type<time_part>() ? "invalid time '" : "invalid UTC offset '";
    return LowerError{range(i == 0 ? node : part), what + part.string() + "'"};
  }
  return LowerError{range(node), "invalid date-time '" + node.string() + "'"};
}

std::optional<std::int64_t> Lowerer::integer(const Node& node, std::int64_t min, std::int64_t max,
                                             const char* what) const {
  std::int64_t value = 0;
  const auto text = node.string_view();
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc() && value >= min && value <= max) return value;
  note_error({range(node), std::string(what) + " must be between " + std::to_string(min) + " and " +
                                  std::to_string(max)});
  return std::nullopt;
}

}  // namespace flow::syntax
