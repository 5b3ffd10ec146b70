// What the interpreter does with a kind of value, found by asking it: an
// operator's apply_binary and a field's coerce_to_field run on sample values
// of each kind, so the checker and a run can never disagree. Only what
// certainly fails is reported; `any` never errors.
#include <stdexcept>

#include "engine/check_context.hpp"
#include "engine/eval.hpp"
#include "grammar/parser.hpp"
#include "grammar/unit_hint.hpp"

namespace flow::check {

namespace {


constexpr ValueKind kAllKinds[] = {ValueKind::null,     ValueKind::boolean,  ValueKind::number, ValueKind::text,
                                   ValueKind::datetime, ValueKind::duration, ValueKind::json,   ValueKind::list};

/// Values standing for every run-time behaviour of a kind: numeric, ISO and
/// other text; JSON scalars (which operators unwrap), objects and arrays.
std::vector<Value> samples(ValueKind kind) {
  switch (kind) {
    case ValueKind::null: return {Value()};
    case ValueKind::boolean: return {Value(true)};
    case ValueKind::number: return {Value(1.0)};
    case ValueKind::text: return {Value("1"), Value("2027-01-01T00:00:00Z"), Value("x")};
    case ValueKind::datetime: return {Value(TimePoint{})};
    case ValueKind::duration: return {Value(Duration(1000))};
    case ValueKind::json:
      return {Value(Json::object()), Value(Json::array()), Value(Json(1)), Value(Json("x")), Value(Json(true))};
    case ValueKind::list: return {Value(List{})};
  }
  throw std::logic_error("samples: unknown ValueKind");
}

template <typename Try>
void attempt(Outcome& outcome, Try&& run) {
  try {
    outcome.kinds.add(run());
  } catch (const RunError& e) {
    if (outcome.refusal.empty()) outcome.refusal = e.what();
  }
}

/// `lhs op rhs` per apply_binary, over every pair of samples.
Outcome binary_outcome(ast::BinaryOp op, KindSet lhs, KindSet rhs) {
  Outcome outcome;
  for (const auto a : lhs.kinds())
    for (const auto b : rhs.kinds())
      for (const auto& x : samples(a))
        for (const auto& y : samples(b)) attempt(outcome, [&] { return apply_binary(op, x, y).kind(); });
  return outcome;
}

/// Storing `type` in `field` per coerce_to_field: the constant itself when known.
Outcome assign_outcome(const StaticType& type, const ast::FieldDecl& field) {
  Outcome outcome;
  const auto store = [&](const Value& value, bool sample) {
    attempt(outcome, [&] {
      try {
        return coerce_to_field(value, field.type, field.name.text).kind();
      } catch (const FieldTypeMismatch& e) {
        if (sample) throw RunError(e.typed);  // a sample is no value of the program's
        throw;
      }
    });
  };
  if (type.constant) {
    store(*type.constant, false);
    return outcome;
  }
  for (const auto kind : type.kinds.kinds())
    for (const auto& sample : samples(kind)) store(sample, true);
  return outcome;
}

}  // namespace

/// Whether `lhs == rhs` can ever be true, per apply_binary over every pair of
/// samples: == converts nothing, so a number never equals a text.
bool can_be_equal(KindSet lhs, KindSet rhs) {
  for (const auto a : lhs.kinds())
    for (const auto b : rhs.kinds())
      for (const auto& x : samples(a))
        for (const auto& y : samples(b))
          if (truthy(apply_binary(ast::BinaryOp::eq, x, y))) return true;
  return false;
}

std::vector<ValueKind> KindSet::kinds() const {
  std::vector<ValueKind> out;
  for (const auto kind : kAllKinds)
    if (has(kind)) out.push_back(kind);
  return out;
}

std::string KindSet::describe() const {
  if (is_any()) return "any value";
  std::string out;
  const auto all = kinds();
  for (std::size_t i = 0; i < all.size(); ++i) out += (i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + std::string(kind_name(all[i]));
  return out;
}

ValueKind field_kind(ast::FieldType type) {
  switch (type) {
    case ast::FieldType::text:
    case ast::FieldType::secret: return ValueKind::text;
    case ast::FieldType::number: return ValueKind::number;
    case ast::FieldType::boolean: return ValueKind::boolean;
    case ast::FieldType::datetime: return ValueKind::datetime;
    case ast::FieldType::duration: return ValueKind::duration;
    case ast::FieldType::json: return ValueKind::json;
    case ast::FieldType::list: return ValueKind::list;
  }
  throw std::logic_error("field_kind: unknown FieldType");
}

std::optional<std::string> constant_text(const StaticType& type) {
  if (!type.constant || !type.constant->is<std::string>()) return std::nullopt;
  return type.constant->as<std::string>();
}

const Outcome& Checker::binary_outcome(ast::BinaryOp op, KindSet lhs, KindSet rhs) {
  const auto key = static_cast<std::uint32_t>(op) << 16 | std::uint32_t{lhs.bits()} << 8 | rhs.bits();
  auto it = binary_memo_.find(key);
  if (it == binary_memo_.end()) it = binary_memo_.emplace(key, check::binary_outcome(op, lhs, rhs)).first;
  return it->second;
}

namespace {

/// For text in quotes where a duration is wanted ("10 minutes"), how to write
/// it as one; else "".
std::string quoted_duration_hint(const StaticType& type) {
  const auto text = constant_text(type);
  if (!text) return "";
  if (parse_duration(*text)) return "; a duration is written without quotes: " + *text;
  const auto typo = syntax::misspelled_duration_unit(*text);
  return typo ? "; " + *typo : "";
}

}  // namespace

void Checker::check_assignable(const ast::FieldDecl& field, const ast::Expr& value, const StaticType& type) {
  if (type.kinds.is_any() && !type.constant) return;
  if (!type.constant) {
    // The kinds do not depend on the field's name (only the refusal message does).
    const auto key = static_cast<std::uint32_t>(field.type) << 8 | type.kinds.bits();
    auto it = assign_memo_.find(key);
    if (it == assign_memo_.end()) it = assign_memo_.emplace(key, assign_outcome(type, field).kinds).first;
    if (!it->second.empty()) return;
  }
  const auto outcome = assign_outcome(type, field);
  if (!outcome.kinds.empty()) return;
  const bool duration = field.type == ast::FieldType::duration;
  diagnostics_.error(value.range, outcome.refusal + (duration ? quoted_duration_hint(type) : ""));
}

void Checker::check_kind(const ast::Expr& value, const StaticType& type, ValueKind wanted, std::string_view what) {
  const auto& kinds = type.kinds;
  if (kinds.is_any() || kinds.has(wanted) || kinds.has(ValueKind::json) || kinds == KindSet(ValueKind::null)) return;
  diagnostics_.error(value.range, std::string(what) + " must be " + kind_name(wanted) + ", not " + kinds.describe() +
                                      (wanted == ValueKind::duration ? quoted_duration_hint(type) : ""));
}

}  // namespace flow::check
