#include "engine/instances.hpp"

#include <algorithm>

#include "engine/eval.hpp"

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

/// The calls env("NAME") (a literal name, no default) that evaluating
/// expressions makes whatever their values (none on the right of and, or,
/// ??) and whose variable is unset: where each is, and its name, in the order
/// evaluation meets them.
class UnsetEnvCalls {
 public:
  explicit UnsetEnvCalls(CallContext context) : context_(std::move(context)) {}

  void add(const ast::Expr& expr) {
    std::visit([&](const auto& node) { visit(node, expr.range); }, expr.node);
  }
  const std::vector<std::pair<SourceRange, std::string>>& found() const { return found_; }

 private:
  void visit(const ast::NullLiteral&, SourceRange) {}
  void visit(const ast::BoolLiteral&, SourceRange) {}
  void visit(const ast::NumberLiteral&, SourceRange) {}
  void visit(const ast::DurationLiteral&, SourceRange) {}
  void visit(const ast::DateTimeLiteral&, SourceRange) {}
  void visit(const ast::Identifier&, SourceRange) {}
  void visit(const ast::StringLiteral& n, SourceRange) {
    for (const auto& piece : n.parts)
      if (const auto* expr = std::get_if<ast::ExprPtr>(&piece.part)) add(**expr);
  }
  void visit(const ast::Member& n, SourceRange) { add(*n.object); }
  void visit(const ast::Index& n, SourceRange) { add(*n.object), add(*n.index); }
  void visit(const ast::Unary& n, SourceRange) { add(*n.operand); }
  void visit(const ast::Binary& n, SourceRange) {
    add(*n.lhs);
    using B = ast::BinaryOp;
    if (n.op != B::logical_and && n.op != B::logical_or && n.op != B::coalesce) add(*n.rhs);
  }
  void visit(const ast::Call& n, SourceRange range) {
    for (const auto& arg : n.args) add(arg);
    const auto* literal = n.callee.text == "env" && n.args.size() == 1 ? std::get_if<ast::StringLiteral>(&n.args[0].node)
                                                                        : nullptr;
    if (!literal) return;
    std::string name;
    for (const auto& piece : literal->parts) {
      const auto* text = std::get_if<std::string>(&piece.part);
      if (!text) return;  // interpolated: not a name read from the source
      name += *text;
    }
    if (!environment_variable(name, context_)) found_.emplace_back(range, name);
  }

  CallContext context_;
  std::vector<std::pair<SourceRange, std::string>> found_;
};

/// When `failure` (where evaluating a new instance of `process` from
/// `declaration` failed) is the first of several unset variables the
/// evaluation needs, one message naming them all; else nullopt, and the
/// failure says it alone.
std::optional<std::string> every_unset_variable(const ast::ProcessDecl& process, const ast::InstanceDecl* declaration,
                                                const SourceRange& failure, const Host& host) {
  UnsetEnvCalls calls(host.context());
  if (declaration)
    for (const auto& a : declaration->values) calls.add(a.value);
  for (const auto& field : process.fields) {
    const bool declared = declaration && std::any_of(declaration->values.begin(), declaration->values.end(),
                                                     [&](const auto& a) { return a.target.back().text == field.name.text; });
    if (!declared && field.default_value) calls.add(*field.default_value);
  }
  const auto& found = calls.found();
  if (found.size() < 2 || found.front().first != failure) return std::nullopt;
  std::vector<UnsetVariable> unset;
  for (const auto& [range, name] : found) unset.push_back({name, name});
  return unset_variables_message(unset, host.environment != nullptr);
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
    if (auto every = every_unset_variable(process, declaration, e.range(), host)) throw LocatedError(e.range(), *every);
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
