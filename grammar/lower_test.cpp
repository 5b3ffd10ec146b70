// Lowering of `test` declarations: mocked answers and the steps a test takes.

#include "grammar/grammar.hpp"
#include "grammar/lower.hpp"
#include "grammar/parser.hpp"

namespace flow::syntax {

// test_decl: [test_name, (test_env | instance_decl | mock_step | run_step | advance_step | clock_step |
//             expect_step)...]; test_env: [env_name, expression]
ast::TestDecl Lowerer::test(const Node& node) const {
  ast::TestDecl result;
  result.name = constant_string(*node.children.front());
  result.name_range = range(*node.children.front());
  result.range = range(node);
  if (result.name.empty()) fail(*node.children.front(), "a test needs a name");
  for (std::size_t i = 1; i < node.children.size(); ++i) {
    const Node& item = *node.children[i];
    if (item.is_type<test_env>()) {
      result.environment.push_back({name(*item.children[0]), expression(*item.children[1]), range(item)});
    } else if (item.is_type<instance_decl>()) {
      result.instances.push_back(instance(item));
    } else {
      result.steps.push_back(test_step(item));
    }
  }
  return result;
}

// mock_step: [datasource_name, method_name, mock_failure | (mock_status | mock_header | mock_body | mock_text)...]
// run_step: [process_name, handler_name, run_on?, run_fails?]
// advance_step: [advance_duration]; clock_step: [clock_time]; expect_step: [expression]
ast::TestStep Lowerer::test_step(const Node& node) const {
  const auto& kids = node.children;
  if (node.is_type<mock_step>()) {
    ast::MockStep mock{name(*kids[0]), name(*kids[1]), {}, range(node)};
    for (std::size_t i = 2; i < kids.size(); ++i) mock_item(mock.answer, *kids[i]);
    return {std::move(mock)};
  }
  if (node.is_type<run_step>()) {
    ast::RunStep run{name(*kids[0]), name(*kids[1]), std::nullopt, false, std::nullopt, range(node)};
    for (std::size_t i = 2; i < kids.size(); ++i) {
      const Node& clause = *kids[i];
      if (clause.is_type<run_on>()) {
        run.id = expression(*clause.children.front());
      } else {
        run.fails = true;
        if (!clause.children.empty()) run.failure_text = expression(*clause.children.front());
      }
    }
    return {std::move(run)};
  }
  if (node.is_type<advance_step>()) {
    auto by = duration(*kids[0]);
    if (names_a_value(by) && by.value.count() <= 0) fail(*kids[0], "advance needs a duration above zero");
    return {ast::AdvanceStep{std::move(by), range(node)}};
  }
  if (node.is_type<clock_step>()) return {ast::ClockStep{datetime(*kids[0]), range(node)}};
  return {ast::ExpectStep{expression(*kids[0]), range(node)}};
}

// mock_failure: [network_failure]; mock_status: [expression]; mock_header: [header_name, expression];
// mock_body: [assignment...]; mock_text: [expression]
void Lowerer::mock_item(ast::MockAnswer& answer, const Node& node) const {
  const auto once = [&](bool taken, const char* what) {
    if (taken) fail(node, std::string("a mocked answer has one ") + what);
  };
  const auto& kids = node.children;
  if (node.is_type<mock_failure>()) {
    answer.failure = kids[0]->string();
    answer.failure_range = range(*kids[0]);
  } else if (node.is_type<mock_status>()) {
    once(answer.status.has_value(), "status");
    answer.status = expression(*kids[0]);
  } else if (node.is_type<mock_header>()) {
    answer.headers.push_back({constant_string(*kids[0]), expression(*kids[1]), range(node)});
  } else if (node.is_type<mock_body>()) {
    once(answer.body.has_value() || answer.text.has_value(), "body ('body' or 'text')");
    answer.body = assignments(node);
  } else {
    once(answer.body.has_value() || answer.text.has_value(), "body ('body' or 'text')");
    answer.text = expression(*kids[0]);
  }
}

}  // namespace flow::syntax
