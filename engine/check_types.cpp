// Static kinds of expressions: names, members, calls and operators, each
// judged by what the interpreter does with its kinds (check_kinds.cpp). Only
// what certainly fails is reported; `any` never errors.
#include <algorithm>

#include "engine/check_context.hpp"
#include "engine/eval.hpp"
#include "grammar/parser.hpp"

namespace flow::check {

namespace {

/// "no arguments", "1 argument", "1 or 2 arguments", "2 to 4 arguments", "at least 1 argument".
std::string argument_counts(const FunctionSpec& spec) {
  const auto min = std::to_string(spec.min_args);
  const auto max = std::to_string(spec.max_args);
  const auto noun = [](int n) { return n == 1 ? " argument" : " arguments"; };
  if (spec.max_args < 0) return "at least " + min + noun(spec.min_args);
  if (spec.max_args == 0) return "no arguments";
  if (spec.min_args == spec.max_args) return min + noun(spec.max_args);
  const auto joint = spec.max_args == spec.min_args + 1 ? " or " : " to ";
  return min + joint + max + noun(spec.max_args);
}

bool is_arithmetic(ast::BinaryOp op) {
  using B = ast::BinaryOp;
  return op == B::add || op == B::sub || op == B::mul || op == B::div;
}

bool is_comparison(ast::BinaryOp op) {
  using B = ast::BinaryOp;
  return op == B::lt || op == B::le || op == B::gt || op == B::ge;
}

bool is_time(KindSet kinds) {
  return kinds == KindSet(ValueKind::datetime) || kinds == KindSet(ValueKind::duration);
}

/// The position of the operator between two operands (for the caret): the first
/// character after the left operand that is not a blank, a comment or a `)`.
std::optional<SourceRange> operator_range(const SourceSet& sources, const ast::Expr& lhs, const ast::Expr& rhs) {
  if (lhs.range.file >= sources.size() || lhs.range.file != rhs.range.file) return std::nullopt;
  const std::string& text = sources.file(lhs.range.file).text;
  SourcePos pos = lhs.range.end;
  const auto step = [&] {
    pos.column = text[pos.offset] == '\n' ? 1 : pos.column + 1;
    pos.line += text[pos.offset] == '\n' ? 1 : 0;
    ++pos.offset;
  };
  while (pos.offset < rhs.range.begin.offset && pos.offset < text.size()) {
    const char c = text[pos.offset];
    if (c == '/' && pos.offset + 1 < text.size() && (text[pos.offset + 1] == '/' || text[pos.offset + 1] == '*')) {
      const std::string_view end = text[pos.offset + 1] == '/' ? "\n" : "*/";
      const auto stop = text.find(end, pos.offset + 2);
      const auto until = std::min<std::size_t>(stop == std::string::npos ? text.size() : stop + end.size(), text.size());
      while (pos.offset < until) step();
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ')') {
      step();
    } else {
      return SourceRange{lhs.range.file, pos, pos};
    }
  }
  return std::nullopt;
}

/// Walks one expression; `scope` says what names mean there.
class ExprChecker {
 public:
  ExprChecker(Checker& checker, const ExprScope& scope) : checker_(checker), scope_(scope) {}

  StaticType check(const ast::Expr& expr) {
    return std::visit([&](const auto& node) { return check_node(node, expr); }, expr.node);
  }

 private:
  static StaticType constant(Value value) {
    const auto kind = value.kind();
    return StaticType{KindSet(kind), std::move(value)};
  }

  StaticType check_node(const ast::NullLiteral&, const ast::Expr&) { return constant(Value()); }
  StaticType check_node(const ast::BoolLiteral& n, const ast::Expr&) { return constant(Value(n.value)); }
  StaticType check_node(const ast::NumberLiteral& n, const ast::Expr&) { return literal(n, ValueKind::number); }
  StaticType check_node(const ast::DurationLiteral& n, const ast::Expr&) { return literal(n, ValueKind::duration); }
  StaticType check_node(const ast::DateTimeLiteral& n, const ast::Expr&) { return literal(n, ValueKind::datetime); }

  /// A literal the parser reported (out of range, an impossible date) is of
  /// its kind, but of no known value: nothing is judged on its placeholder.
  template <typename Literal>
  static StaticType literal(const Literal& n, ValueKind kind) {
    if (!names_a_value(n)) return StaticType{KindSet(kind), std::nullopt};
    return constant(Value(n.value));
  }

  StaticType check_node(const ast::StringLiteral& n, const ast::Expr&) {
    std::string text;
    bool interpolated = false;
    for (const auto& part : n.parts) {
      if (const auto* s = std::get_if<std::string>(&part.part)) {
        text += *s;
      } else {
        check(*std::get<ast::ExprPtr>(part.part));
        interpolated = true;
      }
    }
    if (interpolated) return StaticType{KindSet(ValueKind::text), std::nullopt};
    return constant(Value(std::move(text)));
  }

  StaticType check_node(const ast::Identifier& n, const ast::Expr& expr);
  StaticType check_node(const ast::Member& n, const ast::Expr& expr);
  StaticType check_node(const ast::Index& n, const ast::Expr& expr);
  StaticType check_node(const ast::Call& n, const ast::Expr& expr);
  StaticType check_node(const ast::Unary& n, const ast::Expr& expr);
  StaticType check_node(const ast::Binary& n, const ast::Expr& expr);
  void warn_never_equal(ast::BinaryOp op, KindSet lhs, KindSet rhs, SourceRange at);
  StaticType fold(ast::BinaryOp op, const Value& lhs, const Value& rhs, SourceRange at);
  StaticType divided_by_zero(SourceRange at);

  std::optional<StaticType> local(const std::string& name);
  std::string unknown_name_hint(const std::string& name) const;
  /// "unknown field 'N' in process P; did you mean 'M'?", P being the process M is a field of.
  std::string unknown_field_message(const std::string& name) const;
  std::optional<StaticType> namespace_member(const ast::Identifier& object, const ast::Name& name);
  std::optional<StaticType> calls_member(const ast::Member& object, const ast::Name& name);
  bool is_request_record(const ast::Expr& expr) const;
  const ast::DatasourceDecl* mocked_datasource(const std::string& name) const;
  StaticType response_member(const ast::Name& name, bool header);
  StaticType error_member(const ast::Name& name);
  const ast::ProcessDecl* instance_call(const ast::Call& call);
  StaticType function_call(const ast::Call& call, const FunctionSpec& spec);
  void check_argument(const ast::Call& call, const FunctionSpec& spec, std::size_t i, const StaticType& type);

  Checker& checker_;
  const ExprScope& scope_;
};

std::optional<StaticType> ExprChecker::local(const std::string& name) {
  using L = ExprScope::Locals;
  if (scope_.locals == L::call_success) {
    if (name == "status") return StaticType{KindSet(ValueKind::number), std::nullopt};
    if (name == "body") return StaticType{};  // the whole answer when no body fields are declared
    if (name == "header") return StaticType{KindSet(ValueKind::json), std::nullopt};
  }
  if (scope_.locals == L::call_error && name == "error") return StaticType{KindSet(ValueKind::json), std::nullopt};
  if (scope_.locals == L::test || scope_.locals == L::mock) {
    if (scope_.locals == L::mock && name == "request") return StaticType{KindSet(ValueKind::json), std::nullopt};
    if (checker_.datasource(name)) return StaticType{KindSet(ValueKind::json), std::nullopt};
    if (!checker_.complete()) return StaticType{};  // may be a datasource of the file that did not parse
  }
  if (scope_.locals == L::start_success) {
    if (!scope_.started) return StaticType{};  // unknown process: reported at `start`
    if (const auto* field = Program::field(*scope_.started, name))
      return StaticType{KindSet(field_kind(field->type)), std::nullopt};
  }
  return std::nullopt;
}

std::string ExprChecker::unknown_name_hint(const std::string& name) const {
  using L = ExprScope::Locals;
  if ((name == "body" || name == "header" || name == "status") && scope_.locals != L::call_success)
    return " (body, header and status are read in on_success)";
  if (name == "error" && scope_.locals != L::call_error) return " (error is read in on_error)";
  return {};
}

StaticType ExprChecker::check_node(const ast::Identifier& n, const ast::Expr& expr) {
  if (auto type = local(n.name)) return *type;
  if (!scope_.no_fields.empty()) {
    checker_.diagnostics().error(expr.range, "'" + n.name + "' cannot be read here: " + std::string(scope_.no_fields));
    return StaticType{};
  }
  if (!scope_.process) return StaticType{};  // the caller's fields: unknown here
  if (const auto* field = Program::field(*scope_.process, n.name))
    return StaticType{KindSet(field_kind(field->type)), std::nullopt};
  checker_.diagnostics().error(expr.range, unknown_field_message(n.name));
  return StaticType{};
}

std::string ExprChecker::unknown_field_message(const std::string& name) const {
  const auto unknown = "unknown field '" + name + "' in process ";
  const auto& process = scope_.process->name.text;
  if (const auto hint = unknown_name_hint(name); !hint.empty()) return unknown + process + hint;
  // A start's on_success looks a name up in the started process first: a
  // suggestion from there, else from the caller's, names the process it is of.
  if (scope_.started) {
    if (const auto hint = did_you_mean(name, names_of(scope_.started->fields)); !hint.empty())
      return unknown + scope_.started->name.text + hint;
    if (const auto hint = did_you_mean(name, names_of(scope_.process->fields)); !hint.empty())
      return unknown + process + hint;
    return unknown + scope_.started->name.text + " or " + process;
  }
  return unknown + process + did_you_mean(name, names_of(scope_.process->fields));
}

StaticType ExprChecker::response_member(const ast::Name& name, bool header) {
  if (!scope_.method) return StaticType{};
  const auto& method = *scope_.method;
  std::vector<std::string> declared;
  for (const auto& part : method.response)
    if (part.is_header == header) declared.push_back(part.name.text);
  // Without declared body fields `body` is the whole answer: any member may be there.
  if (!header && declared.empty()) return StaticType{};
  if (std::find(declared.begin(), declared.end(), name.text) == declared.end()) {
    const auto owner = "method " + (scope_.datasource ? scope_.datasource->name.text + "." : "") + method.name.text;
    checker_.report_unknown(name.range, header ? "response header" : "response body", name.text, declared, owner);
  }
  return StaticType{};
}

StaticType ExprChecker::error_member(const ast::Name& name) {
  if (name.text == "message" || name.text == "body") return StaticType{KindSet(ValueKind::text), std::nullopt};
  if (name.text == "status") return StaticType{KindSet(ValueKind::number), std::nullopt};
  checker_.diagnostics().error(name.range, "on_error reads error.message, error.status or error.body, not '" +
                                               name.text + "'" +
                                               did_you_mean(name.text, {"message", "status", "body"}));
  return StaticType{};
}

/// body.NAME / header.NAME in on_success, error.NAME in on_error.
std::optional<StaticType> ExprChecker::namespace_member(const ast::Identifier& object, const ast::Name& name) {
  using L = ExprScope::Locals;
  if (scope_.locals == L::call_success && (object.name == "body" || object.name == "header"))
    return response_member(name, object.name == "header");
  if (scope_.locals == L::call_error && object.name == "error") return error_member(name);
  if (scope_.locals == L::test || scope_.locals == L::mock) {
    if (const auto* datasource = mocked_datasource(object.name)) {
      if (!Program::method(*datasource, name.text))
        checker_.report_unknown(name.range, "method", name.text, names_of(datasource->methods),
                                "datasource " + datasource->name.text);
      return StaticType{KindSet(ValueKind::json), std::nullopt};
    }
  }
  return std::nullopt;
}

/// In a test, the datasource `name` means (in a mocked answer `request` is the
/// request, over a datasource of that name).
const ast::DatasourceDecl* ExprChecker::mocked_datasource(const std::string& name) const {
  if (scope_.locals == ExprScope::Locals::mock && name == "request") return nullptr;
  return checker_.datasource(name);
}

/// In a test, a request a mocked method was sent: `DS.M.last`, `DS.M.requests[i]`,
/// and in a mocked answer `request`.
bool ExprChecker::is_request_record(const ast::Expr& expr) const {
  using L = ExprScope::Locals;
  if (scope_.locals != L::test && scope_.locals != L::mock) return false;
  if (const auto* id = std::get_if<ast::Identifier>(&expr.node))
    return scope_.locals == L::mock && id->name == "request";
  const auto calls_of_method = [&](const ast::Expr& e, std::string_view member) {
    const auto* m = std::get_if<ast::Member>(&e.node);
    if (!m || m->name.text != member) return false;
    const auto* method = std::get_if<ast::Member>(&m->object->node);
    const auto* datasource = method ? std::get_if<ast::Identifier>(&method->object->node) : nullptr;
    return datasource && mocked_datasource(datasource->name);
  };
  if (calls_of_method(expr, "last")) return true;
  const auto* index = std::get_if<ast::Index>(&expr.node);
  return index && calls_of_method(*index->object, "requests");
}

/// In a test, `DS.M.calls`, `DS.M.requests`, `DS.M.last`: what the mocked method saw.
std::optional<StaticType> ExprChecker::calls_member(const ast::Member& object, const ast::Name& name) {
  using L = ExprScope::Locals;
  if (scope_.locals != L::test && scope_.locals != L::mock) return std::nullopt;
  const auto* id = std::get_if<ast::Identifier>(&object.object->node);
  if (!id || !mocked_datasource(id->name)) return std::nullopt;
  namespace_member(*id, object.name);  // reports an unknown method
  if (name.text == "calls") return StaticType{KindSet(ValueKind::number), std::nullopt};
  if (name.text == "requests" || name.text == "last") return StaticType{KindSet(ValueKind::json), std::nullopt};
  checker_.diagnostics().error(name.range, "a mocked method has calls, requests and last, not '" + name.text + "'" +
                                               did_you_mean(name.text, {"calls", "requests", "last"}));
  return StaticType{};
}

StaticType ExprChecker::check_node(const ast::Member& n, const ast::Expr&) {
  if (const auto* id = std::get_if<ast::Identifier>(&n.object->node)) {
    if (auto type = namespace_member(*id, n.name)) return *type;
  }
  if (const auto* inner = std::get_if<ast::Member>(&n.object->node)) {
    if (auto type = calls_member(*inner, n.name)) return *type;
  }
  if (const auto* part = std::get_if<ast::Member>(&n.object->node); part && is_request_record(*part->object)) {
    check(*n.object);
    checker_.check_recorded_part(*part->object, part->name.text, n.name.text, n.name.range, scope_);
    return StaticType{};
  }
  if (is_request_record(*n.object)) {
    check(*n.object);
    static const std::vector<std::string> parts{"method", "url", "path", "query", "headers", "body"};
    if (std::find(parts.begin(), parts.end(), n.name.text) == parts.end())
      checker_.diagnostics().error(n.name.range, "a request has method, url, path, query, headers and body, not '" +
                                                     n.name.text + "'" + did_you_mean(n.name.text, parts));
    return StaticType{};
  }
  if (const auto* call = std::get_if<ast::Call>(&n.object->node); call && call->callee.text == "instance") {
    const auto* process = instance_call(*call);
    if (!process) return StaticType{};
    if (const auto* field = checker_.find_field(*process, n.name))
      return StaticType{KindSet(field_kind(field->type)), std::nullopt};
    return StaticType{};
  }
  const auto object = check(*n.object);
  const auto& kinds = object.kinds;
  if (!kinds.is_any() && !kinds.has(ValueKind::json) && !kinds.has(ValueKind::null))
    checker_.diagnostics().error(n.name.range, "cannot read '." + n.name.text + "' of " + kinds.describe());
  return StaticType{};
}

StaticType ExprChecker::check_node(const ast::Index& n, const ast::Expr& expr) {
  const auto object = check(*n.object);
  const auto index = check(*n.index);
  if (const auto* part = std::get_if<ast::Member>(&n.object->node);
      part && index.constant && index.constant->is<std::string>() && is_request_record(*part->object)) {
    checker_.check_recorded_part(*part->object, part->name.text, index.constant->as<std::string>(), n.index->range,
                                 scope_);
  }
  const auto& kinds = object.kinds;
  if (!kinds.is_any() && !kinds.has(ValueKind::json) && !kinds.has(ValueKind::list) && !kinds.has(ValueKind::null))
    checker_.diagnostics().error(expr.range, "cannot index " + kinds.describe());
  return StaticType{};
}

/// `instance("ID")`: the declared process of a constant ID, else nullptr.
const ast::ProcessDecl* ExprChecker::instance_call(const ast::Call& call) {
  if (call.args.size() != 1) {
    checker_.diagnostics().error(call.callee.range, "instance() takes one argument: the Process ID");
    for (const auto& arg : call.args) check(arg);
    return nullptr;
  }
  const auto id = check(call.args[0]);
  checker_.check_instance_id(call.args[0], id, nullptr);
  const auto text = constant_text(id);
  const auto* declared = text ? checker_.instance(*text) : nullptr;
  return declared ? checker_.process(declared->process.text) : nullptr;
}

void ExprChecker::check_argument(const ast::Call& call, const FunctionSpec& spec, std::size_t i,
                                 const StaticType& type) {
  if (i >= spec.params.size() || !spec.params[i]) return;
  const auto wanted = *spec.params[i];
  const auto& kinds = type.kinds;
  if (kinds.is_any() || kinds.has(wanted) || kinds.has(ValueKind::null)) return;
  checker_.diagnostics().error(call.args[i].range, "argument " + std::to_string(i + 1) + " of " + spec.name +
                                                       " must be " + kind_name(wanted) + ", not " +
                                                       kinds.describe() + "; " + spec.signature);
}

StaticType ExprChecker::function_call(const ast::Call& call, const FunctionSpec& spec) {
  const int count = static_cast<int>(call.args.size());
  if (count < spec.min_args || (spec.max_args >= 0 && count > spec.max_args)) {
    checker_.diagnostics().error(call.callee.range, spec.name + " takes " + argument_counts(spec) + ", not " +
                                                        std::to_string(count) + "; " + spec.signature);
  }
  std::vector<StaticType> args;
  for (std::size_t i = 0; i < call.args.size(); ++i) {
    args.push_back(check(call.args[i]));
    check_argument(call, spec, i, args.back());
  }
  if (spec.name == "env") checker_.note_env_call(call, args);
  return StaticType{spec.result ? KindSet(*spec.result) : KindSet::any(), std::nullopt};
}

StaticType ExprChecker::check_node(const ast::Call& n, const ast::Expr&) {
  if (n.callee.text == "instance") {
    instance_call(n);
    return StaticType{KindSet(ValueKind::json), std::nullopt};
  }
  if (const auto* spec = checker_.functions().find(n.callee.text)) return function_call(n, *spec);
  auto candidates = checker_.functions().names();
  candidates.push_back("instance");
  checker_.report_unknown(n.callee.range, "function", n.callee.text, candidates);
  for (const auto& arg : n.args) check(arg);
  return StaticType{};
}

StaticType ExprChecker::check_node(const ast::Unary& n, const ast::Expr& expr) {
  const auto operand = check(*n.operand);
  if (n.op == ast::UnaryOp::logical_not) return StaticType{KindSet(ValueKind::boolean), std::nullopt};
  const auto& kinds = operand.kinds;
  KindSet out;
  if (kinds.has(ValueKind::number) || kinds.has(ValueKind::json)) out.add(ValueKind::number);
  if (kinds.has(ValueKind::duration) || kinds.has(ValueKind::json)) out.add(ValueKind::duration);
  if (out.empty()) {
    checker_.diagnostics().error(expr.range, "cannot negate " + kinds.describe());
    return StaticType{};
  }
  // `-1`, `-5m`: literals for what reads a constant (retries = -1).
  if (operand.constant && operand.constant->is<double>()) return constant(Value(-operand.constant->as<double>()));
  if (operand.constant && operand.constant->is<Duration>()) return constant(Value(-operand.constant->as<Duration>()));
  return StaticType{out, std::nullopt};
}

/// `Count == "3"`: values of kinds that are never equal. A side that may be
/// null is a test for null (`Token == null`), and unknown kinds prove nothing.
void ExprChecker::warn_never_equal(ast::BinaryOp op, KindSet lhs, KindSet rhs, SourceRange at) {
  if (lhs.is_any() || rhs.is_any() || lhs.has(ValueKind::null) || rhs.has(ValueKind::null)) return;
  if (can_be_equal(lhs, rhs)) return;
  const bool eq = op == ast::BinaryOp::eq;
  const std::string op_text = eq ? "==" : "!=";
  checker_.diagnostics().warning(at, lhs.describe() + " " + op_text + " " + rhs.describe() + " is always " +
                                         (eq ? "false" : "true") + ": values of different kinds are never equal (" +
                                         op_text + " converts neither side)");
}

StaticType ExprChecker::check_node(const ast::Binary& n, const ast::Expr& expr) {
  using B = ast::BinaryOp;
  const auto lhs = check(*n.lhs);
  const auto rhs = check(*n.rhs);
  const auto at = operator_range(checker_.program().sources, *n.lhs, *n.rhs).value_or(expr.range);
  if (n.op == B::eq || n.op == B::ne) warn_never_equal(n.op, lhs.kinds, rhs.kinds, at);
  if (n.op == B::eq || n.op == B::ne || n.op == B::logical_and || n.op == B::logical_or)
    return StaticType{KindSet(ValueKind::boolean), std::nullopt};
  if (n.op == B::coalesce) {
    if (lhs.kinds == KindSet(ValueKind::null)) return rhs;
    return StaticType{lhs.kinds.without(ValueKind::null).add(rhs.kinds), std::nullopt};
  }
  // `A / 0`, `W / (1 - 1)`: whatever the left side holds, every run fails here.
  const bool by_zero = n.op == B::div && rhs.constant && rhs.constant->is<double>() && rhs.constant->as<double>() == 0;
  if (lhs.kinds.is_any() || rhs.kinds.is_any()) {
    if (by_zero) return divided_by_zero(at);
    return StaticType{is_comparison(n.op) ? KindSet(ValueKind::boolean) : KindSet::any(), std::nullopt};
  }
  const auto& result = checker_.binary_outcome(n.op, lhs.kinds, rhs.kinds);
  if (result.kinds.empty()) {
    checker_.diagnostics().error(at, result.refusal);
    return StaticType{};
  }
  if (by_zero) return divided_by_zero(at);
  // `"waited " + Wait` builds a message; `CreatedAt + "5 minutes"` meant a duration.
  if (n.op == B::add && is_time(lhs.kinds) && rhs.kinds == KindSet(ValueKind::text)) {
    checker_.diagnostics().warning(at, lhs.kinds.describe() + " + text joins them as text; to shift a time add a "
                                                              "duration such as 5 minutes");
  }
  if (lhs.constant && rhs.constant && is_arithmetic(n.op)) return fold(n.op, *lhs.constant, *rhs.constant, at);
  return StaticType{is_comparison(n.op) ? KindSet(ValueKind::boolean) : result.kinds, std::nullopt};
}

/// Arithmetic on constants, computed now by the interpreter's own
/// apply_binary: what a run would refuse (`1e308 * 10` out of range, `1 / 0`)
/// is an error at `at`; what it would compute is a constant.
StaticType ExprChecker::fold(ast::BinaryOp op, const Value& lhs, const Value& rhs, SourceRange at) {
  try {
    return constant(apply_binary(op, lhs, rhs));
  } catch (const RunError& e) {
    checker_.diagnostics().error(at, e.what());
    return StaticType{};
  }
}

/// A divisor that is 0 whatever the run (`A / 0`, `A / (1 - 1)`): every run
/// would fail at `at` with "division by zero", so the check does.
StaticType ExprChecker::divided_by_zero(SourceRange at) {
  checker_.diagnostics().error(at, "division by zero: the divisor is always 0");
  return StaticType{};
}

}  // namespace

StaticType Checker::expr(const ast::Expr& expr, const ExprScope& scope) { return ExprChecker(*this, scope).check(expr); }

}  // namespace flow::check
