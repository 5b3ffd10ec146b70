#include "engine/eval.hpp"

#include <cmath>
#include <optional>

#include "engine/instances.hpp"
#include "engine/program.hpp"

namespace flow {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

[[noreturn]] void type_error(const char* op, const Value& lhs, const Value& rhs) {
  throw RunError(std::string("cannot apply '") + op + "' to " + kind_name(lhs.kind()) + " and " +
                 kind_name(rhs.kind()));
}

const char* op_text(ast::BinaryOp op) {
  using B = ast::BinaryOp;
  switch (op) {
    case B::add: return "+";
    case B::sub: return "-";
    case B::mul: return "*";
    case B::div: return "/";
    case B::eq: return "==";
    case B::ne: return "!=";
    case B::lt: return "<";
    case B::le: return "<=";
    case B::gt: return ">";
    case B::ge: return ">=";
    case B::logical_and: return "and";
    case B::logical_or: return "or";
    case B::coalesce: return "??";
  }
  return "?";
}

/// `object.name` of a JSON value, tainted when `secret`: null unless an object holds it.
Value json_member(const Json& object, const std::string& name, bool secret) {
  if (!object.is_object()) return Value();
  const auto it = object.find(name);
  Value out = it == object.end() ? Value() : from_json(*it);
  out.secret = out.secret || secret;
  return out;
}

/// The element `index` names in a JSON array (a number) or object (a key);
/// nullptr when it names none.
const Json* json_element(const Json& json, const Value& index) {
  if (json.is_array() && index.is<double>()) {
    const auto i = to_int64(index.as<double>());
    if (!i || *i < 0 || *i >= static_cast<std::int64_t>(json.size())) return nullptr;
    return &json[static_cast<std::size_t>(*i)];
  }
  if (json.is_object() && index.is<std::string>()) {
    const auto it = json.find(index.as<std::string>());
    return it == json.end() ? nullptr : &*it;
  }
  return nullptr;
}

/// A JSON scalar compares and computes as the plain value it holds.
Value unwrap(const Value& v) {
  if (!v.is<Json>()) return v;
  Value out = from_json(v.as<Json>());
  out.secret = v.secret;
  return out;
}

/// `x op y` for the four arithmetic operators (nullopt for the others): a
/// result beyond a double's range is a run error, never infinity or NaN.
std::optional<double> number_arithmetic(ast::BinaryOp op, double x, double y) {
  using B = ast::BinaryOp;
  double result = 0;
  switch (op) {
    case B::add: result = x + y; break;
    case B::sub: result = x - y; break;
    case B::mul: result = x * y; break;
    case B::div:
      if (y == 0) throw RunError("division by zero");
      result = x / y;
      break;
    default: return std::nullopt;
  }
  if (!std::isfinite(result)) throw out_of_range(std::string("the result of '") + op_text(op) + "'");
  return result;
}

Value arithmetic(ast::BinaryOp op, const Value& a, const Value& b) {
  using B = ast::BinaryOp;
  if (a.is<double>() && b.is<double>()) {
    if (const auto result = number_arithmetic(op, a.as<double>(), b.as<double>())) return *result;
  }
  // Text joins anything; null joins as nothing, as it reads in "${...}" (a
  // field not yet set: "error: " + LastError).
  if (op == B::add && (a.is<std::string>() || b.is<std::string>())) return Value(to_text(a) + to_text(b));
  // Milliseconds add and subtract in int64, checked: overflowing it is undefined.
  const auto ms = [](const Value& v) {
    return v.is<TimePoint>() ? v.as<TimePoint>().time_since_epoch().count() : v.as<Duration>().count();
  };
  const auto sum = [op](std::int64_t x, std::int64_t y) {
    std::int64_t out = 0;
    if (op == B::add ? __builtin_add_overflow(x, y, &out) : __builtin_sub_overflow(x, y, &out))
      throw RunError("time out of range");
    return Duration(out);
  };
  if (a.is<TimePoint>() && b.is<Duration>() && (op == B::add || op == B::sub)) return TimePoint(sum(ms(a), ms(b)));
  if (a.is<Duration>() && b.is<TimePoint>() && op == B::add) return TimePoint(sum(ms(b), ms(a)));
  if (a.is<TimePoint>() && b.is<TimePoint>() && op == B::sub) return sum(ms(a), ms(b));
  if (a.is<Duration>() && b.is<Duration>() && (op == B::add || op == B::sub)) return sum(ms(a), ms(b));
  if (a.is<Duration>() && b.is<double>() && (op == B::mul || op == B::div)) {
    if (op == B::div && b.as<double>() == 0) throw RunError("division by zero");
    const double ms = static_cast<double>(a.as<Duration>().count());
    return milliseconds_of(op == B::mul ? ms * b.as<double>() : ms / b.as<double>());
  }
  type_error(op_text(op), a, b);
}

int compare(const Value& a, const Value& b) {
  const auto three_way = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (a.is<double>() && b.is<double>()) return three_way(a.as<double>(), b.as<double>());
  if (a.is<std::string>() && b.is<std::string>()) return three_way(a.as<std::string>(), b.as<std::string>());
  if (a.is<TimePoint>() && b.is<TimePoint>()) return three_way(a.as<TimePoint>(), b.as<TimePoint>());
  if (a.is<Duration>() && b.is<Duration>()) return three_way(a.as<Duration>(), b.as<Duration>());
  throw RunError(std::string("cannot compare ") + kind_name(a.kind()) + " with " + kind_name(b.kind()));
}

}  // namespace

Value apply_binary(ast::BinaryOp op, const Value& lhs_in, const Value& rhs_in) {
  using B = ast::BinaryOp;
  const Value lhs = unwrap(lhs_in), rhs = unwrap(rhs_in);
  switch (op) {
    case B::eq: return lhs == rhs;
    case B::ne: return !(lhs == rhs);
    case B::lt: return compare(lhs, rhs) < 0;
    case B::le: return compare(lhs, rhs) <= 0;
    case B::gt: return compare(lhs, rhs) > 0;
    case B::ge: return compare(lhs, rhs) >= 0;
    case B::logical_and: return truthy(lhs) && truthy(rhs);
    case B::logical_or: return truthy(lhs) || truthy(rhs);
    case B::coalesce: return lhs.is_null() ? rhs_in : lhs_in;
    default: break;
  }
  Value out = arithmetic(op, lhs, rhs);
  out.secret = lhs.secret || rhs.secret;
  return out;
}

namespace {

class Evaluator {
 public:
  explicit Evaluator(const Scope& scope) : scope_(scope) {}

  Value eval(const ast::Expr& expr) {
    return located(expr, [&] { return std::visit([&](const auto& node) { return eval_node(node, expr); }, expr.node); });
  }

  /// eval(), and the spans of the value's text that came from secret values
  /// (evaluate_with_secret_spans).
  Value eval_with_secret_spans(const ast::Expr& expr, std::vector<TextSpan>& secret_spans) {
    if (const auto* literal = std::get_if<ast::StringLiteral>(&expr.node))
      return located(expr, [&] { return interpolate(*literal, &secret_spans); });
    Value value = eval(expr);
    if (value.secret && !value.is_null()) secret_spans.push_back({0, to_text(value).size(), is_whole_secret(value)});
    return value;
  }

 private:
  /// `evaluate()` of `expr`: a RunError thrown without a range takes `expr`'s.
  template <typename Evaluate>
  static Value located(const ast::Expr& expr, Evaluate evaluate) {
    try {
      return evaluate();
    } catch (const LocatedError&) {
      throw;
    } catch (const RunError& e) {
      throw LocatedError(expr.range, e.what());
    }
  }

  /// A string literal's text, secret when a value interpolated into it is;
  /// `secret_spans`, when given, receives where each such value's text is
  /// (a null adds none). Only the literal being evaluated reports: a literal
  /// nested in one of its parts is inside that part's span.
  Value interpolate(const ast::StringLiteral& n, std::vector<TextSpan>* secret_spans) {
    std::string text;
    bool secret = false;
    for (const auto& part : n.parts) {
      std::visit(Overloaded{[&](const std::string& s) { text += s; },
                            [&](const ast::ExprPtr& e) {
                              const Value v = eval(*e);
                              const std::size_t begin = text.size();
                              text += to_text(v);
                              if (!v.secret) return;
                              secret = true;
                              if (secret_spans && !v.is_null())
                                secret_spans->push_back({begin, text.size() - begin, is_whole_secret(v)});
                            }},
                 part.part);
    }
    return Value(std::move(text), secret);
  }

  Value eval_node(const ast::NullLiteral&, const ast::Expr&) { return Value(); }
  Value eval_node(const ast::BoolLiteral& n, const ast::Expr&) { return n.value; }
  Value eval_node(const ast::NumberLiteral& n, const ast::Expr&) { return n.value; }
  Value eval_node(const ast::DurationLiteral& n, const ast::Expr&) { return n.value; }
  Value eval_node(const ast::DateTimeLiteral& n, const ast::Expr&) { return n.value; }

  Value eval_node(const ast::StringLiteral& n, const ast::Expr&) { return interpolate(n, nullptr); }

  /// A local (a call's `body`, `status`...) or else a field; nullptr when neither.
  const Value* find_name(const std::string& name) const {
    if (scope_.locals) {
      if (auto it = scope_.locals->find(name); it != scope_.locals->end()) return &it->second;
    }
    if (scope_.fields) {
      if (auto it = scope_.fields->find(name); it != scope_.fields->end()) return &it->second;
    }
    return nullptr;
  }

  /// The value as held: the value of a field declared `secret` carries the
  /// mark of a secret the run knows whole (coerce_to_field()), others not.
  Value eval_node(const ast::Identifier& n, const ast::Expr&) {
    if (const Value* found = find_name(n.name)) return *found;
    throw RunError("unknown name '" + n.name + "'");
  }

  /// `expr`'s value, without a copy when it names a local or a field: `body.x`
  /// then reads one member of the answer instead of copying all of it first.
  const Value& eval_ref(const ast::Expr& expr, Value& storage) {
    if (const auto* id = std::get_if<ast::Identifier>(&expr.node)) {
      if (const Value* found = find_name(id->name)) return *found;
    }
    storage = eval(expr);
    return storage;
  }

  /// The JSON that `expr` (a path such as `body.data.items[0]` into a local or
  /// a field) names, found in place: reading `a.b.c` copies only `c`, not `a`
  /// and `b` on the way. nullptr when `expr` is no such path or a step is
  /// missing (the caller then evaluates it the ordinary way). `secret`: the
  /// root value was secret.
  const Json* json_at(const ast::Expr& expr, bool& secret) {
    if (const auto* id = std::get_if<ast::Identifier>(&expr.node)) {
      const Value* found = find_name(id->name);
      if (!found || !found->is<Json>()) return nullptr;
      secret = found->secret;
      return &found->as<Json>();
    }
    if (const auto* member = std::get_if<ast::Member>(&expr.node)) {
      const Json* object = json_at(*member->object, secret);
      if (!object || !object->is_object()) return nullptr;
      const auto it = object->find(member->name.text);
      return it == object->end() ? nullptr : &*it;
    }
    if (const auto* index = std::get_if<ast::Index>(&expr.node)) {
      const Json* object = json_at(*index->object, secret);
      return object ? json_element(*object, unwrap(eval(*index->index))) : nullptr;
    }
    return nullptr;
  }

  Value eval_node(const ast::Member& n, const ast::Expr&) {
    if (const auto* call = std::get_if<ast::Call>(&n.object->node); call && call->callee.text == "instance")
      return instance_field(*call, n.name.text);
    if (!std::holds_alternative<ast::Identifier>(n.object->node)) {
      bool secret = false;
      if (const Json* object = json_at(*n.object, secret); object && object->is_object())
        return json_member(*object, n.name.text, secret);
    }
    Value storage;
    const Value& object = eval_ref(*n.object, storage);
    if (object.is_null()) return Value();
    if (!object.is<Json>())
      throw RunError("cannot read '." + n.name.text + "' of " + kind_name(object.kind()));
    return json_member(object.as<Json>(), n.name.text, object.secret);
  }

  Value eval_node(const ast::Index& n, const ast::Expr&) {
    Value storage;
    const Value& object = eval_ref(*n.object, storage);
    const Value index = unwrap(eval(*n.index));
    Value out;
    if (object.is_null()) return out;
    if (object.is<List>() && index.is<double>()) {
      const auto& list = object.as<List>();
      const auto i = to_int64(index.as<double>());
      if (i && *i >= 0 && *i < static_cast<std::int64_t>(list.size())) out = list[static_cast<std::size_t>(*i)];
    } else if (object.is<Json>() && ((index.is<double>() && object.as<Json>().is_array()) ||
                                     (index.is<std::string>() && object.as<Json>().is_object()))) {
      if (const Json* element = json_element(object.as<Json>(), index)) out = from_json(*element);
    } else {
      throw RunError(std::string("cannot index ") + kind_name(object.kind()) + " with " + kind_name(index.kind()));
    }
    out.secret = out.secret || object.secret;
    return out;
  }

  Value eval_node(const ast::Call& n, const ast::Expr&) {
    if (n.callee.text == "instance") return instance_fields(n);
    const FunctionSpec* spec = scope_.functions ? scope_.functions->find(n.callee.text) : nullptr;
    if (!spec) throw RunError("unknown function '" + n.callee.text + "'");
    const int count = static_cast<int>(n.args.size());
    if (count < spec->min_args || (spec->max_args >= 0 && count > spec->max_args))
      throw RunError("wrong number of arguments to " + n.callee.text + ": " + spec->signature);
    std::vector<Value> args;
    args.reserve(n.args.size());
    for (const auto& arg : n.args) args.push_back(eval(arg));
    Value result = spec->fn(args, scope_.context);
    if (result.is<double>() && !std::isfinite(result.as<double>()))
      throw out_of_range("the result of " + n.callee.text + "()");
    return result;
  }

  Value eval_node(const ast::Unary& n, const ast::Expr&) {
    const Value v = unwrap(eval(*n.operand));
    if (n.op == ast::UnaryOp::logical_not) return !truthy(v);
    Value out;
    if (v.is<double>()) out = -v.as<double>();
    else if (v.is<Duration>()) out = -v.as<Duration>();
    else throw RunError(std::string("cannot negate ") + kind_name(v.kind()));
    out.secret = v.secret;
    return out;
  }

  Value eval_node(const ast::Binary& n, const ast::Expr&) {
    // and / or / ?? short-circuit: the right side is evaluated only when needed.
    if (n.op == ast::BinaryOp::logical_and || n.op == ast::BinaryOp::logical_or) {
      const bool left = truthy(unwrap(eval(*n.lhs)));
      if (left == (n.op == ast::BinaryOp::logical_or)) return left;
      return truthy(unwrap(eval(*n.rhs)));
    }
    if (n.op == ast::BinaryOp::coalesce) {
      Value left = eval(*n.lhs);
      return unwrap(left).is_null() ? eval(*n.rhs) : left;
    }
    // Left, then right: as arguments of one call their order is unspecified (g++ takes the right first).
    const Value left = eval(*n.lhs);
    const Value right = eval(*n.rhs);
    return apply_binary(n.op, left, right);
  }

  InstanceRecord load_instance(const ast::Call& call) {
    if (call.args.size() != 1) throw RunError("instance() takes one argument: the Process ID");
    const Value id = eval(call.args[0]);
    if (!scope_.context.store) throw RunError("instance(): no store is open");
    auto record = scope_.context.store->load_instance(to_text(id));
    if (!record) throw RunError("no saved instance with Process ID '" + to_text(id) + "'");
    const auto* process = scope_.context.program ? scope_.context.program->process(record->process) : nullptr;
    if (process) apply_declared_types(*process, *record);  // a process no longer declared: as stored
    return std::move(*record);
  }

  Value instance_field(const ast::Call& call, const std::string& field) {
    auto record = load_instance(call);
    const auto it = record.fields.find(field);
    if (it == record.fields.end())
      throw RunError("instance '" + record.id + "' of " + record.process + " has no field '" + field + "'");
    return it->second;  // typed as declared: a secret field's value is marked whole
  }

  Value instance_fields(const ast::Call& call) {
    auto record = load_instance(call);
    Json out = Json::object();
    bool secret = false;
    for (const auto& [name, value] : record.fields) {
      out[name] = to_json(value, true);
      secret = secret || value.secret;
    }
    Value result{Json(std::move(out))};
    result.secret = secret;
    return result;
  }

  const Scope& scope_;
};

}  // namespace

Value evaluate(const ast::Expr& expr, const Scope& scope) { return Evaluator(scope).eval(expr); }

WithSecretSpans evaluate_with_secret_spans(const ast::Expr& expr, const Scope& scope) {
  WithSecretSpans out;
  out.value = Evaluator(scope).eval_with_secret_spans(expr, out.secret_spans);
  return out;
}

RenderedMessage render_message(const ast::Expr& expr, const Scope& scope) {
  auto [value, secret_spans] = evaluate_with_secret_spans(expr, scope);
  RenderedMessage out;
  out.text = value.is<std::string>() ? std::move(value.as<std::string>()) : to_text(value);
  std::size_t at = 0;
  for (const auto& span : secret_spans) {
    out.masked.append(out.text, at, span.begin - at);
    const auto secret = std::string_view(out.text).substr(span.begin, span.size);
    out.masked += span.whole ? mask_secret(secret) : std::string(kSecretMask);
    at = span.begin + span.size;
  }
  out.masked.append(out.text, at);
  return out;
}

}  // namespace flow
