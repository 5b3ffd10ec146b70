#include "engine/dynamic_time.hpp"

#include <algorithm>

#include "engine/instances.hpp"
#include "engine/interpreter.hpp"
#include "engine/secret_scrub.hpp"

namespace flow {

namespace {

/// Collects the bare names an expression reads that are null fields.
class NullFieldReads {
 public:
  explicit NullFieldReads(const FieldMap& fields) : fields_(fields) {}

  void walk(const ast::Expr& expr) {
    std::visit([this](const auto& node) { visit(node); }, expr.node);
  }
  std::vector<std::string> take() { return std::move(names_); }

 private:
  void visit(const ast::NullLiteral&) {}
  void visit(const ast::BoolLiteral&) {}
  void visit(const ast::NumberLiteral&) {}
  void visit(const ast::DurationLiteral&) {}
  void visit(const ast::DateTimeLiteral&) {}
  void visit(const ast::StringLiteral& n) {
    for (const auto& part : n.parts)
      if (const auto* expr = std::get_if<ast::ExprPtr>(&part.part)) walk(**expr);
  }
  void visit(const ast::Identifier& n) {
    const auto field = fields_.find(n.name);
    if (field == fields_.end() || !field->second.is_null()) return;
    if (std::find(names_.begin(), names_.end(), n.name) == names_.end()) names_.push_back(n.name);
  }
  void visit(const ast::Member& n) { walk(*n.object); }  // the member's name is no field
  void visit(const ast::Index& n) {
    walk(*n.object);
    walk(*n.index);
  }
  void visit(const ast::Call& n) {
    for (const auto& arg : n.args) walk(arg);
  }
  void visit(const ast::Unary& n) { walk(*n.operand); }
  void visit(const ast::Binary& n) {
    walk(*n.lhs);
    walk(*n.rhs);
  }

  const FieldMap& fields_;
  std::vector<std::string> names_;
};

}  // namespace

std::vector<std::string> null_fields_read(const ast::Expr& expr, const FieldMap& fields) {
  NullFieldReads reads(fields);
  reads.walk(expr);
  return reads.take();
}

DynamicTime dynamic_time(const ast::Expr& at, const Scope& scope) {
  static const FieldMap kNoFields;
  const FieldMap& fields = scope.fields ? *scope.fields : kNoFields;
  DynamicTime result;
  Diagnostic failure{Severity::error, at.range, ""};
  try {
    const Value value = evaluate(at, scope);
    if (value.is<TimePoint>()) {
      result.at = value.as<TimePoint>();
      return result;
    }
    failure.message = "the time of `at` is " +
                      (value.is_null() ? std::string("null") : std::string(kind_name(value.kind())) + " " + shown(value)) +
                      ", not a datetime";
  } catch (const LocatedError& e) {
    failure.range = e.range();
    failure.message = e.what();
  } catch (const RunError& e) {
    failure.message = e.what();
  }
  // Null fields explain the failure: the time is not known yet, which is no error.
  result.null_fields = null_fields_read(at, fields);
  if (result.null_fields.empty()) {
    failure.message = scrub_secrets(std::move(failure.message), fields);
    result.error = std::move(failure);
  }
  return result;
}

std::optional<std::string> schedule_instance_id(const ast::ScheduleDecl& schedule, const Host& host) {
  if (!schedule.id) return std::nullopt;
  return to_text(evaluate(*schedule.id, Scope{nullptr, nullptr, host.functions, host.context()}));
}

std::optional<ScheduleTime> schedule_time(const Program& program, const Host& host, const ast::ScheduleDecl& schedule,
                                          bool seed) {
  const auto* dynamic = schedule.when ? std::get_if<ast::DynamicWhen>(&schedule.when->node) : nullptr;
  if (!dynamic || !schedule.process) return std::nullopt;
  ScheduleTime result;
  try {
    result.id = schedule_instance_id(schedule, host);
    if (!seed && result.id && !host.store->load_instance(*result.id)) {
      result.not_stored = true;
      return result;
    }
    const auto instance = load_or_create(program, *host.store, program.require_process(*schedule.process), result.id, host);
    result.revision = instance.revision;
    result.time = dynamic_time(dynamic->at, Scope{&instance.fields, nullptr, host.functions, host.context(instance.id)});
  } catch (const LocatedError& e) {  // the id's expression, or a stored value its field's type refuses
    result.time.error = Diagnostic{Severity::error, e.range(), e.what()};
  } catch (const RunError& e) {  // no such instance
    result.time.error = Diagnostic{Severity::error, schedule.id ? schedule.id->range : dynamic->at.range, e.what()};
  }
  return result;
}

std::string null_fields_text(const std::vector<std::string>& names, const std::string& of) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  if (!of.empty()) out += " of " + of;
  return out + (names.size() == 1 ? " is null" : " are null");
}

}  // namespace flow
