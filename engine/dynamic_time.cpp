#include "engine/dynamic_time.hpp"

#include <algorithm>

#include "engine/instances.hpp"
#include "engine/interpreter.hpp"
#include "engine/secret_scrub.hpp"
#include "grammar/walk.hpp"

namespace flow {

std::vector<std::string> null_fields_read(const ast::Expr& expr, const FieldMap& fields) {
  std::vector<std::string> names;
  ast::for_each_subexpression(expr, [&](const ast::Expr& e) {
    const auto* id = std::get_if<ast::Identifier>(&e.node);  // `a.b`: b is a name, not an Identifier
    if (!id) return;
    const auto field = fields.find(id->name);
    if (field == fields.end() || !field->second.is_null()) return;
    if (std::find(names.begin(), names.end(), id->name) == names.end()) names.push_back(id->name);
  });
  return names;
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
