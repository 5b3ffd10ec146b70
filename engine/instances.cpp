#include "engine/instances.hpp"

#include <algorithm>

#include "engine/eval.hpp"
#include "engine/unset_variables.hpp"

namespace flow {

namespace {

Scope host_scope(const Host& host, const FieldMap* fields) {
  Scope scope;
  scope.fields = fields;
  scope.functions = host.functions;
  scope.context = host.context();
  return scope;
}

Value field_value(const ast::FieldDecl& field, const Value& value) {
  try {
    return coerce_to_field(value, field.type, field.name.text);
  } catch (const RunError& e) {
    throw LocatedError(field.range, e.what());
  }
}

void fill_defaults(const ast::ProcessDecl& process, FieldMap& fields, const Host& host) {
  for (const auto& field : process.fields) {
    if (fields.count(field.name.text)) continue;
    Value value;
    if (field.default_value) value = evaluate(*field.default_value, host_scope(host, &fields));
    fields[field.name.text] = field_value(field, value);
  }
}

/// Why `stored`, the value instance `id` holds in `field`, cannot take the
/// field's declared type (`reason`), and what to do about it.
std::string stored_type_mismatch(const ast::FieldDecl& field, const std::string& id, const Value& stored,
                                 const std::string& reason) {
  return "instance " + id + " stores " + kind_name(stored.kind()) + " " + shown(stored) + " in field '" +
         field.name.text + "', now declared " + field_type_name(field.type) + ": " + reason +
         "; declare its former type again, or give the field a new name (it starts from its default)";
}

/// When `failure` (where evaluating a new instance of `process` from
/// `declaration` failed) is the first of several unset variables the
/// evaluation needs, one message naming them all; else nullopt, and the
/// failure says it alone.
std::optional<std::string> every_unset_variable_of_instance(const ast::ProcessDecl& process,
                                                            const ast::InstanceDecl* declaration,
                                                            const SourceRange& failure, const Host& host) {
  std::vector<const ast::Expr*> evaluated;
  if (declaration)
    for (const auto& a : declaration->values) evaluated.push_back(&a.value);
  for (const auto& field : process.fields) {
    const bool declared = declaration && std::any_of(declaration->values.begin(), declaration->values.end(),
                                                     [&](const auto& a) { return a.target.back().text == field.name.text; });
    if (!declared && field.default_value) evaluated.push_back(&*field.default_value);
  }
  return every_unset_variable(evaluated, failure, host.context());
}

}  // namespace

void apply_declared_types(const ast::ProcessDecl& process, InstanceRecord& record) {
  for (const auto& field : process.fields) {
    const auto found = record.fields.find(field.name.text);
    if (found == record.fields.end()) continue;
    try {
      coerce_field_in_place(found->second, field.type, field.name.text);
    } catch (const RunError& e) {
      throw LocatedError(field.range, stored_type_mismatch(field, record.id, found->second, e.what()));
    }
  }
}

InstanceRecord instance_from_declaration(const ast::ProcessDecl& process, const ast::InstanceDecl* declaration,
                                         const Host& host) {
  InstanceRecord record;
  record.process = process.name.text;
  try {
    if (declaration) {
      record.id = declaration->id;
      for (const auto& a : declaration->values) {
        const auto& name = a.target.back();
        const auto* field = Program::field(process, name.text);
        if (!field) throw LocatedError(name.range, "process " + process.name.text + " has no field '" + name.text + "'");
        record.fields[name.text] = field_value(*field, evaluate(a.value, host_scope(host, &record.fields)));
      }
    }
    fill_defaults(process, record.fields, host);
  } catch (const LocatedError& e) {
    // The first unset env() fails the evaluation: the others it needs are named with it.
    if (auto every = every_unset_variable_of_instance(process, declaration, e.range(), host)) throw LocatedError(e.range(), *every);
    throw;
  }
  return record;
}

InstanceRecord load_or_create(const Program& program, Store& store, const ast::ProcessDecl& process,
                              const std::optional<std::string>& id, const Host& host, FieldMap* stored_fields) {
  if (stored_fields) stored_fields->clear();
  if (!id) return instance_from_declaration(process, nullptr, host);
  if (auto stored = store.load_instance(*id)) {
    if (stored->process != process.name.text)
      throw RunError("instance '" + *id + "' is a " + stored->process + ", not a " + process.name.text);
    if (stored_fields) *stored_fields = stored->fields;
    apply_declared_types(process, *stored);
    fill_defaults(process, stored->fields, host);
    return std::move(*stored);
  }
  const auto* declaration = program.instance(*id);
  if (!declaration || declaration->process.text != process.name.text)
    throw RunError("no instance of " + process.name.text + " with Process ID '" + *id + "'");
  auto record = instance_from_declaration(process, declaration, host);
  store.seed_instance(record, host.clock->now());
  auto seeded = store.load_instance(*id);
  if (!seeded) return record;
  if (stored_fields) *stored_fields = seeded->fields;
  return std::move(*seeded);
}

std::string allocate_undeclared_id(const Program& program, Store& store, const std::string& process) {
  // Ends: each call hands out a number past the last, and the files declare finitely many IDs.
  std::string id = store.allocate_id(process);
  while (program.instance(id)) id = store.allocate_id(process);
  return id;
}

}  // namespace flow
