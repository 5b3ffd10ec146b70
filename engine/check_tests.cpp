// Checking of `test` declarations: what they mock, run and expect must name
// declarations that exist, with values of the right kind.

#include <algorithm>

#include "engine/check_context.hpp"
#include "engine/flow_tests.hpp"
#include "engine/program.hpp"

namespace flow::check {

namespace {

/// The names a test may read a request part by: each declared part's own
/// name, its name on the wire and, for a JSON body, the first member of its
/// path (`client` of "client.id").
std::vector<std::string> readable_names(const ast::MethodDecl& method, ast::PartKind kind) {
  std::vector<std::string> names;
  for (const auto& part : method.request) {
    if (part.kind != kind) continue;
    names.push_back(part.name.text);
    if (!part.wire_name) continue;
    names.push_back(*part.wire_name);
    if (kind == ast::PartKind::body && method.request_format == ast::BodyFormat::json)
      names.push_back(part.wire_name->substr(0, part.wire_name->find_first_of(".[")));
  }
  return names;
}

}  // namespace

void Checker::check_recorded_part(const ast::Expr& record, std::string_view part, std::string_view name,
                                  SourceRange at, const ExprScope& scope) {
  if (part != "query" && part != "body") return;
  const bool in_mock = scope.locals == ExprScope::Locals::mock;
  const ast::MethodDecl* method = in_mock ? scope.method : nullptr;
  const ast::DatasourceDecl* ds = in_mock ? scope.datasource : nullptr;
  const ast::Expr* calls = &record;  // DS.M.last, or DS.M.requests of DS.M.requests[i]
  if (const auto* index = std::get_if<ast::Index>(&record.node)) calls = index->object.get();
  const auto* of_method = std::get_if<ast::Member>(&calls->node);
  const auto* named = of_method ? std::get_if<ast::Member>(&of_method->object->node) : nullptr;
  const auto* ds_name = named ? std::get_if<ast::Identifier>(&named->object->node) : nullptr;
  if (const auto* found = ds_name ? datasource(ds_name->name) : nullptr) {
    ds = found;
    method = Program::method(*ds, named->name.text);
  }
  if (!method || !ds) return;
  const auto kind = part == "query" ? ast::PartKind::query : ast::PartKind::body;
  const auto names = readable_names(*method, kind);
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  report_unknown(at, "request " + std::string(part), name, names, "method " + ds->name.text + "." + method->name.text);
}

void Checker::check_mock(const ast::MockStep& mock, ExprScope& scope) {
  const ast::DatasourceDecl* datasource = nullptr;
  scope.method = find_method(mock.datasource, mock.method, datasource);
  scope.datasource = datasource;
  const auto& answer = mock.answer;
  std::optional<Value> status = Value(200.0);  // none given
  if (answer.status) {
    const auto type = expr(*answer.status, scope);
    check_kind(*answer.status, type, ValueKind::number, "status");
    status = type.constant;
  }
  for (const auto& header : answer.headers) expr(header.value, scope);
  if (answer.body) {
    for (const auto& value : *answer.body) expr(value.value, scope);
    if (scope.method) check_mock_body(*answer.body, status, *datasource, *scope.method);
  }
  if (answer.text) check_kind(*answer.text, expr(*answer.text, scope), ValueKind::text, "text");
}

void Checker::check_mock_body(const std::vector<ast::Assignment>& body, const std::optional<Value>& status,
                              const ast::DatasourceDecl& datasource, const ast::MethodDecl& method) {
  // An error answer has members of its own (`error`, `error_description`);
  // a status computed at run time may be one.
  const bool success = status && status->is<double>() && status->as<double>() >= 200 && status->as<double>() < 300;
  if (!success || whole_answer_kept_.count(&method)) return;
  std::vector<std::string> members;  // `data` of "data.items[0].id"
  for (const auto& part : method.response) {
    if (part.is_header) continue;
    const auto path = part.wire_name.value_or(part.name.text);
    members.push_back(path.substr(0, path.find_first_of(".[")));
    if (members.back().empty()) return;  // the answer is an array: no member is checked
  }
  const auto has = [&](const std::string& name) {
    return std::find(members.begin(), members.end(), name) != members.end();
  };
  // Without declared fields any member may be read, and {"error": ...} with
  // none of them is an OAuth2 error answer, whatever its status.
  const auto any_member = [&](const auto& matches) {
    const auto head_matches = [&](const ast::Assignment& a) { return matches(a.target.front().text); };
    return std::any_of(body.begin(), body.end(), head_matches);
  };
  const auto is_error = [](const std::string& name) { return name == "error"; };
  if (members.empty() || (!any_member(has) && any_member(is_error))) return;
  for (const auto& value : body) {
    const auto& head = value.target.front();
    if (!has(head.text))
      report_unknown(head.range, "response body member", head.text, members,
                     "method " + datasource.name.text + "." + method.name.text);
  }
}

void Checker::check_test_environment(const ast::TestDecl& test) {
  std::vector<std::string> read;
  for (const auto& [call, env] : env_reads_) {
    if (!env.name) return;  // a computed name may be any
    read.push_back(*env.name);
  }
  std::sort(read.begin(), read.end());
  read.erase(std::unique(read.begin(), read.end()), read.end());
  for (const auto& variable : test.environment) {
    if (std::binary_search(read.begin(), read.end(), variable.name.text)) continue;
    diagnostics_.warning(variable.name.range, "no env() of the program reads '" + variable.name.text +
                                                  "': the test sets it for nothing" +
                                                  did_you_mean(variable.name.text, read));
  }
}

void Checker::check_test(const ast::TestDecl& test) {
  test_ = &test;
  std::vector<Named> ids;
  for (const auto& instance : test.instances) {
    ids.push_back({instance.id, instance.id_range});
    check_instance(instance, /*in_test=*/true);
  }
  report_duplicates(ids, "instance");

  ExprScope expect_scope;
  expect_scope.locals = ExprScope::Locals::test;
  expect_scope.no_fields =
      "a test reads fields as instance(\"ID\").FIELD and a mocked method's calls as DATASOURCE.METHOD.calls";
  ExprScope mock_scope = expect_scope;
  mock_scope.locals = ExprScope::Locals::mock;
  mock_scope.no_fields = "a mocked answer reads the request as request.body.NAME, request.headers, request.url";

  std::vector<Named> variables;
  for (const auto& variable : test.environment) {
    variables.push_back({variable.name.text, variable.name.range});
    check_kind(variable.value, expr(variable.value, expect_scope), ValueKind::text, "an environment variable");
  }
  report_duplicates(variables, "environment variable", "set");
  // Both set the test up before anything runs: written after a step that acts
  // (a run, an advance, an expect, a clock that moves time) they would read as steps.
  const ast::TestStep* first_act = nullptr;
  const auto* start = start_clock(test);
  for (const auto& step : test.steps) {
    const bool sets_up = std::holds_alternative<ast::MockStep>(step.node) ||
                         (start && std::get_if<ast::ClockStep>(&step.node) == start);
    if (sets_up) continue;
    first_act = &step;
    break;
  }
  if (first_act) {
    const auto acts_at = std::visit([](const auto& step) { return step.range; }, first_act->node);
    const auto report_late = [&](const SourceRange& at, const char* what) {
      if (at.begin.offset > acts_at.begin.offset)
        diagnostics_.error(at, std::string(what) + " in a test comes before its runs, advances and expects: "
                                                   "the test is set up with it before anything runs");
    };
    for (const auto& variable : test.environment) report_late(variable.range, "env");
    for (const auto& instance : test.instances) report_late(instance.range, "an instance");
  }

  for (const auto& step : test.steps) {
    if (const auto* mock = std::get_if<ast::MockStep>(&step.node)) {
      check_mock(*mock, mock_scope);
    } else if (const auto* run = std::get_if<ast::RunStep>(&step.node)) {
      const auto* process = find_process(run->process);
      if (process) find_handler(*process, run->handler);
      if (run->id) {
        const auto type = expr(*run->id, expect_scope);
        check_kind(*run->id, type, ValueKind::text, "a Process ID");
        check_instance_id(*run->id, type, process);
      }
      if (run->failure_text) {
        check_kind(*run->failure_text, expr(*run->failure_text, expect_scope), ValueKind::text, "the failure text");
      }
    } else if (const auto* expect = std::get_if<ast::ExpectStep>(&step.node)) {
      check_kind(expect->condition, expr(expect->condition, expect_scope), ValueKind::boolean, "expect");
    }
  }
  test_ = nullptr;
}

}  // namespace flow::check
