#pragma once
// The typed AST of a .flow module. Each category is a std::variant of node
// structs, visited without a catch-all arm: adding a node kind fails to compile
// until the checker, interpreter and dump handle it. Every node has a range.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "grammar/path_template.hpp"
#include "grammar/source.hpp"

namespace flow::ast {

using Milliseconds = std::chrono::milliseconds;
using SysTime = std::chrono::sys_time<std::chrono::milliseconds>;

/// A name as written, with where it was written (for "unknown X" diagnostics).
struct Name {
  std::string text;
  SourceRange range;
};

// ---------------------------------------------------------------- expressions

struct Expr;
/// Owning pointer for recursive expression nodes.
using ExprPtr = std::unique_ptr<Expr>;

struct NullLiteral {};
struct BoolLiteral {
  bool value = false;
};
// A literal lowering could not read (out of range, an impossible date) is kept
// as written, its value zero (the epoch): `names_value` false, set where the
// value is (grammar/lower_expr.cpp), read by names_a_value (grammar/parser.hpp).
struct NumberLiteral {
  double value = 0;
  std::string text;  // as written, for the dump
  bool names_value = true;
};
/// One piece of a string literal: literal text, or an interpolated `${expr}`.
struct StringPart {
  std::variant<std::string, ExprPtr> part;
};
struct StringLiteral {
  std::vector<StringPart> parts;  // escapes already decoded
};
struct DurationLiteral {
  Milliseconds value{0};
  std::string text;  // as written: "10s", "55 minutes"
  bool names_value = true;
};
struct DateTimeLiteral {
  SysTime value{};          // UTC instant (midnight UTC for a date without time)
  bool date_only = false;   // `2027-06-30`
  std::string text;         // as written
  bool has_offset = false;  // `Z` or `+01:00` written; else the wall-clock time was read as UTC
  bool names_value = true;
};
/// A bare identifier: a field, or a namespace such as body/header/error/status/urlPath.
struct Identifier {
  std::string name;
};
/// `object.name`
struct Member {
  ExprPtr object;
  Name name;
};
/// `object[index]`
struct Index {
  ExprPtr object;
  ExprPtr index;
};
/// `callee(args...)`: a stdlib function or `instance("ID")`.
struct Call {
  Name callee;
  std::vector<Expr> args;
};
enum class UnaryOp { negate, logical_not };
struct Unary {
  UnaryOp op;
  ExprPtr operand;
};
enum class BinaryOp { add, sub, mul, div, eq, ne, lt, le, gt, ge, logical_and, logical_or, coalesce };
struct Binary {
  BinaryOp op;
  ExprPtr lhs;
  ExprPtr rhs;
};

struct Expr {
  std::variant<NullLiteral, BoolLiteral, NumberLiteral, StringLiteral, DurationLiteral,
               DateTimeLiteral, Identifier, Member, Index, Call, Unary, Binary>
      node;
  SourceRange range;
};

// ---------------------------------------------------------------------- rules

/// `target = value;` inside map/on_success/on_error blocks and instance bodies.
/// The target is a dotted path: {"body","client_id"}, {"header","Authorization"},
/// {"urlPath"}, or a single field name {"AccessToken"}.
struct Assignment {
  std::vector<Name> target;
  Expr value;
  SourceRange range;
};

struct Rule;
using Block = std::vector<Rule>;

struct SetRule {
  Name field;
  Expr value;
};
struct ClearRule {
  Name field;
};
enum class CallKind { create_item, update_item, delete_item, find_item };
/// create_item / update_item / delete_item / find_item DS.M map {..} on_success {..} on_error {..} [into F];
struct CallRule {
  CallKind kind = CallKind::create_item;
  Name datasource;
  Name method;
  std::vector<Assignment> map;
  std::optional<std::vector<Assignment>> on_success;
  std::optional<std::vector<Assignment>> on_error;
  std::optional<Name> into;  // find_item only
};
struct SaveRule {};
struct IfRule {
  Expr condition;
  Block then_block;
  Block else_block;  // `else if` nests an IfRule here
};
struct ValidateRule {
  Expr condition;
  Expr message;
};
struct FailRule {
  Expr message;
};
struct LogRule {
  Expr message;
};
struct TriggerRule {
  Name handler;
};
/// start PROCESS [id expr] map {..} trigger NAME on_success {..};
struct StartRule {
  Name process;
  std::optional<Expr> id;
  std::vector<Assignment> map;
  Name handler;
  std::optional<std::vector<Assignment>> on_success;
};

struct Rule {
  std::variant<SetRule, ClearRule, CallRule, SaveRule, IfRule, ValidateRule, FailRule, LogRule,
               TriggerRule, StartRule>
      node;
  SourceRange range;
};

// --------------------------------------------------------------- declarations

struct Import {
  std::string path;  // as written, relative to the importing file
  SourceRange range;
};

/// `name = expr;` inside a datasource (base_url, timeout, ca_file, ...).
struct Setting {
  Name name;
  Expr value;
  SourceRange range;
};

enum class HttpVerb { GET, POST, PUT, PATCH, DELETE };
enum class BodyFormat { none, form, json };
enum class PartKind { header, query, body, path };

/// A declared request part: `request header Auth "Authorization" = "..."`,
/// `request body form { client_id; }`, `request query { page; }`.
struct RequestPart {
  PartKind kind = PartKind::body;
  Name name;                              // the name mappings use
  std::optional<std::string> wire_name;   // header name, or JSON path for json bodies
  std::optional<Expr> default_value;
  bool secret = false;                    // declared `secret`: its value is masked as a secret's
  SourceRange range;
  /// Its value is a credential whatever its taint: declared `secret`, or its
  /// wire name is_credential_name(). Set at lowering: a call asks it of each part.
  bool credential = false;
};

/// A declared response part: `response header Loc "Location";`,
/// `response body json { access_token; id = "data.items[0].id"; }`.
struct ResponsePart {
  bool is_header = false;
  Name name;
  std::optional<std::string> wire_name;  // header name, or JSON path inside the body
  SourceRange range;
};

struct MethodDecl {
  Name name;
  HttpVerb verb = HttpVerb::GET;
  std::string path;  // may contain {param} segments
  SourceRange path_range;
  /// `path` read (read_path_template) at lowering, once: its problem is the
  /// checker's to report, and a call's to refuse.
  PathTemplate path_template;
  BodyFormat request_format = BodyFormat::none;
  BodyFormat response_format = BodyFormat::none;
  std::vector<RequestPart> request;
  std::vector<ResponsePart> response;
  SourceRange range;
};

/// `header "Name" [secret] = expr;` at datasource level: sent with every method.
struct DefaultHeader {
  std::string header;
  Expr value;
  bool secret = false;  // declared `secret`: its value is masked as a secret's
  SourceRange range;
  /// Declared `secret`, or `header` is_credential_name(): set at lowering, as
  /// RequestPart::credential is.
  bool credential = false;
};

struct DatasourceDecl {
  Name name;
  Name kind;  // "rest"
  std::vector<Setting> settings;
  std::vector<DefaultHeader> headers;
  std::vector<MethodDecl> methods;
  SourceRange range;
};

enum class FieldType { text, number, boolean, datetime, duration, secret, json, list };

struct FieldDecl {
  Name name;
  FieldType type = FieldType::text;
  std::optional<Expr> default_value;
  bool required = false;
  SourceRange range;
};

enum class HandlerKind { button, change, load };
/// `on Refresh { }`, `on change Field { }`, `on load { }`.
struct Handler {
  HandlerKind kind = HandlerKind::button;
  Name name;  // button name, or the watched field for `change`; "load" for load
  Block body;
  SourceRange range;
};

struct ProcessDecl {
  Name name;
  std::vector<FieldDecl> fields;
  std::vector<Handler> handlers;
  SourceRange range;
};

struct InstanceDecl {
  std::string id;
  SourceRange id_range;
  Name process;
  std::vector<Assignment> values;
  SourceRange range;
};

// ------------------------------------------------------------------ schedules

enum class TimeUnit { seconds, minutes, hours, days, weeks, months };
enum class Weekday { sunday, monday, tuesday, wednesday, thursday, friday, saturday };

/// `every 55 minutes;` (elapsed-time interval; months are calendar months)
struct IntervalWhen {
  std::int64_t count = 0;
  TimeUnit unit = TimeUnit::minutes;
};
/// Wall-clock time of day.
struct TimeOfDay {
  int hour = 0;
  int minute = 0;
};
/// `every day at 06:30;` `every weekday at 08:00;` `every monday, friday at 09:15;`
struct DailyWhen {
  std::vector<Weekday> days;  // empty: every day
  TimeOfDay at;
};
/// `every month on day 1 at 00:00;` `every month on last friday at 17:00;`
/// `every month on first monday at 09:00;`
struct MonthlyWhen {
  std::optional<int> day_of_month;  // 1..31
  std::optional<int> nth;           // 1..5, or -1 for "last"
  std::optional<Weekday> weekday;
  TimeOfDay at;
};
/// `every hour at minute 5;`
struct HourlyWhen {
  int minute = 0;
};
/// `cron "*/5 * * * *";`
struct CronWhen {
  std::string expression;
  SourceRange range;
};
/// `once at 2027-01-01T09:00;`
struct OnceWhen {
  DateTimeLiteral at;
};
/// `at CreatedAt + seconds(ExpiresIn) - 5 minutes;` re-evaluated on the instance after every run.
struct DynamicWhen {
  Expr at;
};

struct ScheduleWhen {
  std::variant<IntervalWhen, DailyWhen, MonthlyWhen, HourlyWhen, CronWhen, OnceWhen, DynamicWhen> node;
  SourceRange range;
  /// False when a number in it is out of range (`every 0 minutes`, `at 25:00`):
  /// reported at load, with zero in its place, so its times are not judged.
  bool known = true;
};

enum class OverlapPolicy { skip, queue };
enum class MissedPolicy { run_once, skip };

struct RetryPolicy {
  int times = 0;
  std::optional<DurationLiteral> backoff;  // none: retried at once
  SourceRange range;
};

/// `expires 2027-06-30;` or `expires after 100 runs;`
struct Expiry {
  std::optional<DateTimeLiteral> at;
  std::optional<std::int64_t> after_runs;
  SourceRange range;
};

struct ScheduleDecl {
  std::string name;
  SourceRange name_range;
  std::optional<ScheduleWhen> when;
  std::optional<std::string> timezone;
  SourceRange timezone_range;
  std::optional<Name> process;
  std::optional<Expr> id;  // omitted: a new instance per run
  std::optional<Name> trigger;
  std::optional<Expiry> expires;
  OverlapPolicy on_overlap = OverlapPolicy::skip;
  MissedPolicy on_missed = MissedPolicy::run_once;
  std::optional<RetryPolicy> retry;
  std::optional<Milliseconds> jitter;
  bool first_run_now = false;  // `first run now;` (dynamic schedules): a task that never ran runs at once
  SourceRange first_run_range;
  SourceRange range;
};

// ---------------------------------------------------------------------- tests

/// What a mocked method answers to one call: an HTTP response, or no response
/// at all (`fails timeout;`).
struct MockHeader {
  std::string name;
  Expr value;
  SourceRange range;
};
struct MockAnswer {
  std::optional<Expr> status;                      // `status 503;` (default 200)
  std::vector<MockHeader> headers;                 // `header "Retry-After" = "1";`
  std::optional<std::vector<Assignment>> body;     // `body { access_token = "A1"; }`: a JSON object
  std::optional<Expr> text;                        // `text "<html>";`: a body that is not JSON
  std::optional<std::string> failure;              // `fails timeout;`: an HttpErrorKind's name
  SourceRange failure_range;
};
/// `mock DS.M { ... }` or `mock DS.M fails refused;`
struct MockStep {
  Name datasource;
  Name method;
  MockAnswer answer;
  SourceRange range;
};
/// `run PROCESS.HANDLER [on "ID"] [fails ["text"]];`
struct RunStep {
  Name process;
  Name handler;
  std::optional<Expr> id;  // none: a new instance
  bool fails = false;
  std::optional<Expr> failure_text;  // the run's error must contain it
  SourceRange range;
};
/// `advance 55 minutes;`: virtual time moves on, due schedules run on the way.
struct AdvanceStep {
  DurationLiteral by;
  SourceRange range;
};
/// `clock 2026-03-01T09:00:00Z;`: the virtual time a test starts at, or later a
/// time to advance to.
struct ClockStep {
  DateTimeLiteral at;
  SourceRange range;
};
/// `expect COND;`
struct ExpectStep {
  Expr condition;
  SourceRange range;
};
struct TestStep {
  std::variant<MockStep, RunStep, AdvanceStep, ClockStep, ExpectStep> node;
};
/// `env CLIENT_ID = "client-1";`: a variable env() sees in this test.
struct TestEnv {
  Name name;
  Expr value;
  SourceRange range;
};
/// `test "name" { env ...; instance ...; mock ...; run ...; advance ...; expect ...; }`
struct TestDecl {
  std::string name;
  SourceRange name_range;
  std::vector<TestEnv> environment;     // the only variables env() sees in the test
  std::vector<InstanceDecl> instances;  // seeded instead of the program's of the same id
  std::vector<TestStep> steps;
  SourceRange range;
};

/// One parsed file.
struct Module {
  std::uint32_t file = 0;
  std::vector<Import> imports;
  std::vector<DatasourceDecl> datasources;
  std::vector<ProcessDecl> processes;
  std::vector<InstanceDecl> instances;
  std::vector<ScheduleDecl> schedules;
  std::vector<TestDecl> tests;
};

}  // namespace flow::ast
