// Handler bodies: every rule, the request parts a call maps, the fields its
// on_success / on_error blocks write, and `start` on another process.
// Mirrors what engine/exec.cpp and engine/exec_call.cpp accept at run time.
#include <algorithm>

#include "engine/check_context.hpp"
#include "engine/rest_call.hpp"

namespace flow::check {

namespace {

/// A target mapped twice is not a run-time failure (the last value wins), but
/// one of the two lines is dead: a warning.
constexpr Severity kLastOneWins = Severity::warning;

constexpr std::string_view kMapTargets = "a map target is body.NAME, header.NAME, query.NAME, path.NAME or urlPath";

std::string dotted(const std::vector<ast::Name>& target) {
  std::string out;
  for (const auto& name : target) out += (out.empty() ? "" : ".") + name.text;
  return out;
}

/// The names a method declares for one kind of request part.
std::vector<std::string> declared_parts(const ast::MethodDecl& method, ast::PartKind kind) {
  if (kind == ast::PartKind::path) return path_params(method);
  std::vector<std::string> out;
  for (const auto& part : method.request)
    if (part.kind == kind) out.push_back(part.name.text);
  return out;
}

/// `client_id` of a method declaring `request body form { client_id; }`: "body.client_id".
std::optional<std::string> part_named(const ast::MethodDecl& method, const std::string& name) {
  for (const std::string_view head : {"body", "header", "query", "path"}) {
    const auto declared = declared_parts(method, *mapped_part_kind(head));
    if (std::find(declared.begin(), declared.end(), name) != declared.end()) return std::string(head) + "." + name;
  }
  return std::nullopt;
}

/// Checks the rules of one process's handlers.
class RuleChecker {
 public:
  RuleChecker(Checker& checker, const ast::ProcessDecl& process) : checker_(checker), process_(process) {}

  void block(const ast::Block& rules) {
    for (const auto& rule : rules) std::visit([&](const auto& node) { check(node, rule); }, rule.node);
  }

 private:
  ExprScope fields() const { return ExprScope{&process_}; }

  void check(const ast::SetRule& node, const ast::Rule&) {
    const auto* field = checker_.find_field(process_, node.field);
    const auto type = checker_.expr(node.value, fields());
    if (field) checker_.check_assignable(*field, node.value, type);
  }
  void check(const ast::ClearRule& node, const ast::Rule&) { checker_.find_field(process_, node.field); }
  void check(const ast::SaveRule&, const ast::Rule&) {}
  void check(const ast::IfRule& node, const ast::Rule&) {
    checker_.expr(node.condition, fields());
    block(node.then_block);
    block(node.else_block);
  }
  void check(const ast::ValidateRule& node, const ast::Rule&) {
    checker_.expr(node.condition, fields());
    checker_.expr(node.message, fields());
  }
  void check(const ast::FailRule& node, const ast::Rule&) { checker_.expr(node.message, fields()); }
  void check(const ast::LogRule& node, const ast::Rule&) { checker_.expr(node.message, fields()); }
  void check(const ast::TriggerRule& node, const ast::Rule&) { checker_.find_handler(process_, node.handler); }
  void check(const ast::CallRule& node, const ast::Rule& rule);
  void check(const ast::StartRule& node, const ast::Rule& rule);

  void map_target(const ast::Assignment& assignment, const ast::DatasourceDecl* datasource,
                  const ast::MethodDecl* method);
  void report_not_a_part(const ast::Name& head, const ast::MethodDecl* method);
  void unmapped_path_params(const ast::CallRule& node, const ast::DatasourceDecl& datasource,
                            const ast::MethodDecl& method);
  void mappings(const std::vector<ast::Assignment>& assignments, const ExprScope& scope);
  void into(const ast::Name& name);

  Checker& checker_;
  const ast::ProcessDecl& process_;
};

void RuleChecker::report_not_a_part(const ast::Name& head, const ast::MethodDecl* method) {
  std::string hint = did_you_mean(head.text, {"body", "header", "query", "path", "urlPath"});
  // `client_id = ...` for `body.client_id = ...`: suggest the part it names.
  if (const auto part = method ? part_named(*method, head.text) : std::nullopt) hint = "; did you mean '" + *part + "'?";
  checker_.diagnostics().error(head.range, std::string(kMapTargets) + hint);
}

void RuleChecker::map_target(const ast::Assignment& assignment, const ast::DatasourceDecl* datasource,
                             const ast::MethodDecl* method) {
  const auto& head = assignment.target.front();
  if (assignment.target.size() == 1 && head.text == "urlPath") return;
  const auto kind = mapped_part_kind(head.text);
  if (!kind || assignment.target.size() != 2) return report_not_a_part(head, method);
  if (!method) return;
  const auto& name = assignment.target[1];
  const auto declared = declared_parts(*method, *kind);
  if (std::find(declared.begin(), declared.end(), name.text) != declared.end()) return;
  checker_.report_unknown(name.range, part_kind_name(*kind), name.text, declared,
                          "method " + datasource->name.text + "." + method->name.text);
}

void RuleChecker::unmapped_path_params(const ast::CallRule& node, const ast::DatasourceDecl& datasource,
                                       const ast::MethodDecl& method) {
  for (const auto& param : path_params(method)) {
    const bool mapped = std::any_of(node.map.begin(), node.map.end(), [&](const ast::Assignment& a) {
      return a.target.size() == 2 && a.target[0].text == "path" && a.target[1].text == param;
    });
    if (mapped) continue;
    checker_.diagnostics().error(node.method.range, "path parameter '" + param + "' of " + datasource.name.text +
                                                        "." + method.name.text + " is not mapped (add path." +
                                                        param + " = ... to the map)");
  }
}

void RuleChecker::mappings(const std::vector<ast::Assignment>& assignments, const ExprScope& scope) {
  std::vector<Checker::Named> targets;
  for (const auto& assignment : assignments) {
    const auto type = checker_.expr(assignment.value, scope);
    const auto& head = assignment.target.front();
    if (assignment.target.size() != 1) {
      checker_.diagnostics().error(head.range, "a mapping target is a field of process " + process_.name.text +
                                                   ", not '" + dotted(assignment.target) + "'");
      continue;
    }
    targets.push_back({head.text, head.range});
    if (const auto* field = checker_.find_field(process_, head)) checker_.check_assignable(*field, assignment.value, type);
  }
  checker_.report_duplicates(targets, "target", "mapped", kLastOneWins);
}

void RuleChecker::into(const ast::Name& name) {
  const auto* field = checker_.find_field(process_, name);
  if (!field || field->type == ast::FieldType::list || field->type == ast::FieldType::json) return;
  checker_.diagnostics().error(name.range, "into needs a list or json field; '" + name.text + "' is a " +
                                               field_type_name(field->type) + " field");
}

void RuleChecker::check(const ast::CallRule& node, const ast::Rule&) {
  const ast::DatasourceDecl* datasource = nullptr;
  const auto* method = checker_.find_method(node.datasource, node.method, datasource);
  std::vector<Checker::Named> targets;
  std::vector<std::string> spelled;  // keeps the dotted names alive for `targets`
  spelled.reserve(node.map.size());
  for (const auto& assignment : node.map) {
    const auto type = checker_.expr(assignment.value, fields());
    map_target(assignment, datasource, method);
    spelled.push_back(dotted(assignment.target));
    const auto* part = method ? mapped_part(*method, assignment.target) : nullptr;
    if (part && part->credential)
      checker_.warn_literal_credential("map entry " + spelled.back() + " (" + part_label(*part) + ")", assignment.value,
                                       type);
    targets.push_back({spelled.back(), assignment.target.front().range});
  }
  checker_.report_duplicates(targets, "target", "mapped", kLastOneWins);
  if (method) {
    unmapped_path_params(node, *datasource, *method);
    checker_.check_caller_defaults(process_, node, *datasource, *method);
    checker_.warn_dropped_refresh_token(process_, node, *method);
    if (node.into) checker_.note_whole_answer_kept(*method);
  }
  using L = ExprScope::Locals;
  if (node.on_success) mappings(*node.on_success, ExprScope{&process_, L::call_success, datasource, method});
  if (node.on_error) mappings(*node.on_error, ExprScope{&process_, L::call_error, datasource, method});
  if (node.into) into(*node.into);
}

void RuleChecker::check(const ast::StartRule& node, const ast::Rule&) {
  const auto* started = checker_.find_process(node.process);
  if (node.id) checker_.check_instance_id(*node.id, checker_.expr(*node.id, fields()), started);
  std::vector<Checker::Named> targets;
  for (const auto& assignment : node.map) {
    const auto type = checker_.expr(assignment.value, fields());
    const auto& head = assignment.target.front();
    if (assignment.target.size() != 1) {
      checker_.diagnostics().error(head.range, "a start map target is a field of the started process, not '" +
                                                   dotted(assignment.target) + "'");
      continue;
    }
    targets.push_back({head.text, head.range});
    const auto* field = started ? checker_.find_field(*started, head) : nullptr;
    if (!field) continue;
    checker_.check_assignable(*field, assignment.value, type);
    checker_.warn_literal_secret(*field, assignment.value, type);
  }
  checker_.report_duplicates(targets, "target", "mapped", kLastOneWins);
  if (started) checker_.find_handler(*started, node.handler);
  if (node.on_success) {
    ExprScope scope{&process_, ExprScope::Locals::start_success};
    scope.started = started;
    mappings(*node.on_success, scope);
  }
}

}  // namespace

void Checker::check_block(const ast::Block& block, const ast::ProcessDecl& process) {
  RuleChecker(*this, process).block(block);
}

}  // namespace flow::check
