#pragma once
// Lowering: the PEGTL parse tree (shaped by the selector in parser.cpp) -> typed AST.
// Internal to grammar/: parse_module() is the only caller. The member functions
// are split by topic over lower_expr.cpp, lower_rules.cpp, lower_decl.cpp and
// lower_schedule.cpp; each relies on the child layout the selector produces,
// which is written next to each function.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar/ast.hpp"

namespace flow::syntax {

/// A parse tree node. Parsing creates (and mostly drops again) a node for nearly
/// every rule it tries, failed alternatives included, so nodes are recycled through
/// a per-thread free list instead of going to malloc each time (parse_node.cpp).
struct Node : tao::pegtl::parse_tree::basic_node<Node> {
  static void* operator new(std::size_t size);
  static void operator delete(void* node) noexcept;
  /// Returns the recycled nodes to the heap; parse_module calls it when done.
  static void release_free_nodes() noexcept;
};

/// A user mistake the grammar cannot see (an impossible date, a second time rule
/// in a schedule, a second request body in a method). Most are noted and
/// lowering goes on (Lowerer::note_error); the others are thrown inside
/// lowering and stop it, each turned into one Diagnostic by parse_module.
struct LowerError {
  SourceRange range;
  std::string message;
};

/// The value of a number_lit's text; nullopt when it is out of a double's range.
std::optional<double> number_value(std::string_view text);
/// The value of a duration_lit's text ("500ms", "1.5h", "30 seconds"), rounded
/// to milliseconds; nullopt when it is too large to hold.
std::optional<ast::Milliseconds> duration_value(std::string_view text);

/// Turns one file's parse tree into an ast::Module.
class Lowerer {
 public:
  /// `noted_errors` collects the mistakes lowering goes on past (a literal
  /// that names no value, a schedule's number out of range, a schedule
  /// statement written twice): the caller reports them (parse_module with the
  /// module, which can still be checked; typed rules are refused).
  Lowerer(std::uint32_t file, std::vector<LowerError>& noted_errors) : file_(file), noted_errors_(noted_errors) {}

  /// Lowers one top-level declaration node into `module`. Throws LowerError on a
  /// semantic mistake.
  void declaration(ast::Module& module, const Node& decl) const;

  // Shared helpers (lower_expr.cpp).
  SourceRange range(const Node& node) const;
  SourceRange range(const Node& first, const Node& last) const;
  ast::Name name(const Node& node) const;
  [[noreturn]] void fail(const Node& node, std::string message) const;
  ast::Expr expression(const Node& node) const;
  /// A string literal that must not interpolate (paths, header names, ids).
  std::string constant_string(const Node& node) const;
  /// A number, duration or date-time literal. One that names no value (out of
  /// range, an impossible date) is added to the noted errors and comes back
  /// as written, its value zero (the epoch), so that lowering, and the file's
  /// other errors, go on (names_a_value tells it apart).
  ast::NumberLiteral number(const Node& node) const;
  ast::DurationLiteral duration(const Node& node) const;
  ast::DateTimeLiteral datetime(const Node& node) const;
  /// A whole number in [min, max]; `what` names it in the error ("the minute").
  /// One out of range is added to the noted errors and comes back as nullopt,
  /// so that lowering goes on (its caller keeps it from being judged).
  std::optional<std::int64_t> integer(const Node& node, std::int64_t min, std::int64_t max, const char* what) const;

  // Rules (lower_rules.cpp).
  ast::Block rule_block(const Node& node) const;
  ast::Rule rule(const Node& node) const;
  ast::Assignment assignment(const Node& node) const;
  std::vector<ast::Assignment> assignments(const Node& parent) const;

  // Declarations (lower_decl.cpp).
  ast::DatasourceDecl datasource(const Node& node) const;
  ast::MethodDecl method(const Node& node) const;
  ast::ProcessDecl process(const Node& node) const;
  ast::InstanceDecl instance(const Node& node) const;

  // Schedules (lower_schedule.cpp).
  ast::ScheduleDecl schedule(const Node& node) const;

  // Tests (lower_test.cpp).
  ast::TestDecl test(const Node& node) const;

 private:
  ast::Expr expression_node(const Node& node) const;
  ast::Expr binary_chain(const Node& node) const;
  ast::Expr postfix_chain(const Node& node) const;
  ast::StringLiteral string_literal(const Node& node) const;
  ast::Expr call(const Node& node) const;
  /// What is wrong with a date-time literal parse_iso refuses, at its part.
  LowerError invalid_datetime(const Node& node) const;
  /// Records a mistake lowering goes on past: a literal that names no value, or
  /// none allowed where it stands, or a schedule statement written twice.
  void note_error(LowerError error) const;

  ast::Rule call_rule(const Node& node) const;
  ast::Rule if_rule(const Node& node) const;
  ast::Rule start_rule(const Node& node) const;

  void method_item(ast::MethodDecl& method, const Node& node) const;
  ast::FieldDecl field(const Node& node) const;
  ast::Handler handler(const Node& node) const;

  void schedule_item(ast::ScheduleDecl& schedule, const Node& node) const;
  ast::ScheduleWhen every(const Node& node) const;
  /// nullopt: out of range, added to the noted errors.
  std::optional<ast::TimeOfDay> time_of_day(const Node& node) const;
  ast::Weekday weekday(const Node& node) const;
  /// nullopt: the number of runs is out of range, added to the noted errors.
  std::optional<ast::Expiry> expiry(const Node& node) const;

  ast::TestStep test_step(const Node& node) const;
  void mock_item(ast::MockAnswer& answer, const Node& node) const;

  std::uint32_t file_;
  std::vector<LowerError>& noted_errors_;
};

}  // namespace flow::syntax
