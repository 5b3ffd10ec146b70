// parse_module: PEGTL parse tree (nodes chosen by the selector below) -> Lowerer -> ast::Module.
// The file is parsed one top-level declaration at a time, and each declaration's tree
// is lowered and dropped before the next is parsed: the tree never holds more than
// one declaration, however large the file.
// Both error channels end here: a failed `must` (parse_error) and a LowerError each
// become exactly one Diagnostic; no exception leaves parse_module.

#include "grammar/parser.hpp"

#include <algorithm>

#include <tao/pegtl/contrib/limit_depth.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar/errors.hpp"
#include "grammar/grammar.hpp"
#include "grammar/habit_hint.hpp"
#include "grammar/odd_character.hpp"
#include "grammar/keyword_hint.hpp"
#include "grammar/lower.hpp"
#include "grammar/tree_builder.hpp"
#include "grammar/unit_hint.hpp"

namespace flow {
namespace syntax {
namespace {

namespace pt = tao::pegtl::parse_tree;

// Nodes kept in the tree, with their text. Everything else (keywords that carry no
// information, punctuation, whitespace) is dropped; its children move up.
using stored = pt::store_content::on<
    // names and literals
    ident, field_name, member_name, target_name, datasource_name, datasource_kind, method_name,
    setting_name, part_name, process_name, handler_name, number_lit, duration_lit, backoff_duration,
    jitter_duration, datetime_lit, once_time, date_part, time_part, zone_part, string_lit, header_name,
    method_path, wire_name, instance_id, cron_expression, timezone_name, schedule_name, import_path,
    string_text, escape, interpolation, kw_true, kw_false, kw_null,
    // expressions
    expression, paren_expr, call, member, index, negative, not_expr, op_mul, op_div, op_add, op_sub, op_eq, op_ne,
    op_lt, op_le, op_gt, op_ge,
    // rules
    assignment, rule_block, set_rule, clear_rule, call_kind, map_clause, success_clause, error_clause,
    into_clause, call_rule, save_rule, if_rule, else_clause, validate_rule, fail_rule, log_rule,
    trigger_rule, id_clause, start_trigger, start_rule,
    // declarations
    import_decl, setting, datasource_header, http_verb, body_format, part_entry, request_header,
    request_query, request_body, response_header, response_body, method_decl, datasource_decl,
    field_type, kw_required, kw_secret, field_decl, kw_change, kw_load, handler, process_decl, instance_decl,
    // schedules
    time_of_day, weekday_name, ordinal, interval_suffix, interval_word, every_interval, every_day,
    every_weekday, every_weekdays, day_number, month_day, month_nth, every_month, minute_number,
    every_hour, every_stmt, cron_stmt, once_stmt, at_stmt, timezone_stmt, process_stmt, id_stmt,
    trigger_stmt, run_count, expires_after, expires_stmt, overlap_policy, overlap_stmt, missed_policy,
    missed_stmt, retry_count, retry_stmt, jitter_stmt, first_run_stmt, schedule_decl,
    // tests
    mock_status, mock_header, mock_body, mock_text, network_failure, mock_failure, mock_step, run_on, run_fails,
    run_step, advance_duration, advance_step, clock_time, clock_step, expect_step, env_name, test_env, test_name,
    test_decl>;

// Operator levels collapse to their operand when no operator was written.
using folded = pt::fold_one::on<postfix, product, sum, coalesce, comparison, conjunction, disjunction>;

template <typename Rule>
using selector = pt::selector<Rule, stored, folded>;

// Deep nesting ("((((...") must end in a diagnostic, not a stack overflow.
constexpr std::size_t kMaxRuleDepth = 2000;
template <typename Rule>
struct depth_limit : tao::pegtl::limit_depth<kMaxRuleDepth> {};

// One step of `grammar`'s star, at the nesting depth (limit_depth) it has there:
// `grammar`, its `star`, then next_declaration. So "nested too deeply" triggers at
// the same place whether a file is parsed whole or a declaration at a time
// (tests/grammar checks the columns).
struct declaration_in_module : seq<seq<next_declaration>> {};

/// Where the byte at `offset` of `text` is, as a point.
SourceRange point_at(std::uint32_t file, std::string_view text, std::size_t offset) {
  const std::size_t newline = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  const std::size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
  const SourcePos pos{static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(offset - line_start + 1),
                      static_cast<std::uint32_t>(offset)};
  return SourceRange{file, pos, pos};
}

/// The one diagnostic of a failed must point in `text`: its rule's message,
/// or a misspelled unit named, with a misspelled keyword guessed; a missing
/// `;` pointed at the end of the line it belongs to.
void report(const tao::pegtl::parse_error& e, std::uint32_t file, std::string_view text, Diagnostics& diagnostics) {
  const std::string_view message = e.message();
  std::size_t offset = e.positions().front().byte;
  if (message == "maximum parser rule nesting depth exceeded") {
    diagnostics.error(point_at(file, text, offset), "nested too deeply");
    return;
  }
  const auto units = message == error_message<interval_unit> ? UnitSet::interval : UnitSet::duration;
  if (auto unit = misspelled_unit_message(text, offset, units)) {
    diagnostics.error(point_at(file, text, offset), *unit);
    return;
  }
  if (message == error_message<setting_assign>) {
    if (const auto guess = keyword_before(text, offset, {"method", "header"})) {
      diagnostics.error(point_at(file, text, guess->offset), kDatasourceItemExpected + guess->hint);
      return;
    }
  }
  std::string hint = odd_character_hint(text, offset);
  if (message == error_message<string_control>) hint += ", or write it as the escape " + control_byte_escape(text, offset);
  if (hint.empty()) hint = keyword_hint(text, offset, message);
  if (hint.empty()) hint = habit_hint(text, offset, message);
  std::string text_of_error = std::string(message) + hint;
  if (message.starts_with("expected ';'")) offset = semicolon_offset(text, offset);
  diagnostics.error(point_at(file, text, offset), std::move(text_of_error));
}

/// The errors lowering went on past, in the order found (source order).
void report(const std::vector<LowerError>& errors, Diagnostics& diagnostics) {
  for (const auto& error : errors) diagnostics.error(error.range, error.message);
}

}  // namespace
}  // namespace syntax

bool names_a_value(const ast::NumberLiteral& literal) { return literal.names_value; }
bool names_a_value(const ast::DurationLiteral& literal) { return literal.names_value; }
bool names_a_value(const ast::DateTimeLiteral& literal) { return literal.names_value; }

std::optional<ast::Module> parse_module(const SourceSet& sources, std::uint32_t file,
                                        Diagnostics& diagnostics) {
  namespace pegtl = tao::pegtl;
  const SourceFile& source = sources.file(file);
  pegtl::memory_input<> in(source.text.data(), source.text.size(), source.path);
  // A literal that names no value (an impossible date, a number out of range)
  // or a schedule statement written twice is reported where it stands and
  // lowering goes on, so that the file's other errors are reported in the same
  // run, the checker's too: the module is returned with them (the literal kept
  // as written, the second statement left out).
  std::vector<syntax::LowerError> noted_errors;
  const syntax::Lowerer lowerer(file, noted_errors);
  ast::Module module;
  module.file = file;
  // Any other lowering error stops lowering, and a syntax error anywhere in the
  // file is reported in preference to it, as when the whole file was parsed
  // before lowering: after a LowerError the rest is still parsed, only not lowered.
  std::optional<syntax::LowerError> lower_error;
  std::optional<ast::Module> result;
  try {
    pegtl::parse<syntax::module_start, pegtl::nothing, syntax::control>(in);
    while (const auto root = syntax::tree::parse<syntax::declaration_in_module, syntax::Node, syntax::selector,
                                                 syntax::depth_limit, syntax::control>(in)) {
      if (lower_error) continue;
      try {
        lowerer.declaration(module, *root->children.front());
      } catch (syntax::LowerError& e) {
        lower_error = std::move(e);
      }
    }
    // Raises "expected a declaration" unless the whole file was read.
    pegtl::parse<syntax::module_end, pegtl::nothing, syntax::control>(in);
    syntax::report(noted_errors, diagnostics);
    if (lower_error) {
      diagnostics.error(lower_error->range, lower_error->message);
    } else {
      result = std::move(module);
    }
  } catch (const pegtl::parse_error& e) {
    syntax::report(noted_errors, diagnostics);
    syntax::report(e, file, source.text, diagnostics);
  }
  syntax::Node::release_free_nodes();
  return result;
}

namespace {

/// Parses the whole of file `file` as `Input` and lowers the tree with `lower`;
/// a syntax or lowering error becomes one Diagnostic and nullopt.
template <typename Input, typename Lower>
auto parse_input(const SourceSet& sources, std::uint32_t file, Diagnostics& diagnostics, Lower lower)
    -> std::optional<decltype(lower(std::declval<const syntax::Lowerer&>(), std::declval<const syntax::Node&>()))> {
  namespace pegtl = tao::pegtl;
  const SourceFile& source = sources.file(file);
  pegtl::memory_input<> in(source.text.data(), source.text.size(), source.path);
  std::vector<syntax::LowerError> noted_errors;
  const syntax::Lowerer lowerer(file, noted_errors);
  std::optional<decltype(lower(lowerer, std::declval<const syntax::Node&>()))> result;
  try {
    // Input's must points raise rather than fail: a tree comes back or an error is thrown.
    const auto root = syntax::tree::parse<Input, syntax::Node, syntax::selector, syntax::depth_limit,
                                          syntax::control>(in);
    if (root) result = lower(lowerer, *root);
    // Nothing checks what is typed here before it runs: any noted error (a literal naming no value) refuses it.
    if (!noted_errors.empty()) result.reset();
    syntax::report(noted_errors, diagnostics);
  } catch (const pegtl::parse_error& e) {
    syntax::report(noted_errors, diagnostics);
    syntax::report(e, file, source.text, diagnostics);
  } catch (const syntax::LowerError& e) {
    syntax::report(noted_errors, diagnostics);
    diagnostics.error(e.range, e.message);
  }
  syntax::Node::release_free_nodes();
  return result;
}

}  // namespace

std::optional<ast::Block> parse_rules(const SourceSet& sources, std::uint32_t file, Diagnostics& diagnostics) {
  return parse_input<syntax::rules_input>(sources, file, diagnostics,
                                          [](const syntax::Lowerer& lowerer, const syntax::Node& root) {
                                            return lowerer.rule_block(root);
                                          });
}

std::optional<ast::Expr> parse_expression(const SourceSet& sources, std::uint32_t file, Diagnostics& diagnostics) {
  return parse_input<syntax::expression_input>(sources, file, diagnostics,
                                               [](const syntax::Lowerer& lowerer, const syntax::Node& root) {
                                                 return lowerer.expression(*root.children.front());
                                               });
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  namespace pegtl = tao::pegtl;
  pegtl::memory_input in(text.data(), text.size(), "duration");
  if (!pegtl::parse<pegtl::seq<syntax::duration_lit, pegtl::eof>>(in)) return std::nullopt;
  return syntax::duration_value(text);
}

}  // namespace flow
