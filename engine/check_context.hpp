#pragma once
// Internal to the checker (engine/checker.cpp, check_*.cpp): the Checker class,
// whose member functions are split by topic over
//   checker.cpp          declarations: datasources, processes, instances
//   check_rules.cpp      handler bodies: rules, calls, mappings, start
//   check_loops.cpp      handlers that trigger or change each other without end
//   check_types.cpp      static kinds of expressions
//   check_kinds.cpp      what the interpreter does with a kind: operators, assignability
//   check_schedules.cpp  schedules
//   check_names.cpp      unknown and duplicate names
//   check_calls.cpp      what a call reads of its caller and keeps of its answer
// Nothing outside the checker includes this header except its tests.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/checker.hpp"
#include "engine/value.hpp"
#include "grammar/suggest.hpp"

namespace flow::check {

/// The set of kinds an expression may have at run time. Empty never happens for a
/// checked expression; `any()` is "unknown", which never causes an error.
class KindSet {
 public:
  KindSet() = default;
  explicit KindSet(ValueKind kind) : bits_(bit(kind)) {}
  static KindSet any() { return KindSet(kAll); }

  bool has(ValueKind kind) const { return (bits_ & bit(kind)) != 0; }
  bool is_any() const { return bits_ == kAll; }
  bool empty() const { return bits_ == 0; }
  KindSet& add(ValueKind kind) { bits_ |= bit(kind); return *this; }
  KindSet& add(KindSet other) { bits_ |= other.bits_; return *this; }
  KindSet without(ValueKind kind) const { return KindSet(bits_ & ~bit(kind)); }
  /// The kinds in ValueKind order.
  std::vector<ValueKind> kinds() const;
  /// "text", "boolean or text": for messages.
  std::string describe() const;
  friend bool operator==(KindSet, KindSet) = default;
  /// One bit per ValueKind: a compact key for memo tables.
  std::uint8_t bits() const { return bits_; }

 private:
  static constexpr std::uint8_t kAll = 0xff;
  explicit KindSet(std::uint8_t bits) : bits_(bits) {}
  static std::uint8_t bit(ValueKind kind) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(kind)); }
  std::uint8_t bits_ = 0;
};

/// What the checker knows about an expression: its possible kinds and, for a
/// literal without interpolation, its value (so "3600" can go to a number field).
struct StaticType {
  KindSet kinds = KindSet::any();
  std::optional<Value> constant;
};

/// What the interpreter does with sample values: the kinds it yields, and its
/// own message for the first sample it refuses (what the run would print).
struct Outcome {
  KindSet kinds;
  std::string refusal;
};

/// The kind a field of `type` holds (secret is text with a taint).
ValueKind field_kind(ast::FieldType type);

/// Whether `lhs == rhs` can ever be true, per apply_binary over sample values
/// of each kind (check_kinds.cpp): == converts nothing.
bool can_be_equal(KindSet lhs, KindSet rhs);

/// What names mean where an expression is evaluated.
struct ExprScope {
  enum class Locals {
    none,           // fields only
    call_success,   // + body, header, status of `method`'s answer
    call_error,     // + error.message / error.status / error.body
    start_success,  // + the fields of the started process (they shadow ours)
    test,           // a test's `expect`: datasources name their mocked methods' calls
    mock,           // a mocked answer: + `request`, the request being answered
  };
  /// The process whose fields names read; nullptr where the fields are the
  /// caller's, unknown here (datasource settings, request defaults).
  const ast::ProcessDecl* process = nullptr;
  Locals locals = Locals::none;
  const ast::DatasourceDecl* datasource = nullptr;  // call_success: for messages
  const ast::MethodDecl* method = nullptr;     // call_success; nullptr if unknown
  const ast::ProcessDecl* started = nullptr;   // start_success; nullptr if unknown
  /// Where no fields exist at all (a schedule's id): why, for the message.
  std::string_view no_fields = {};
};

/// One checking pass over a Program. Diagnostics are collected unsorted and put
/// in source order by check_program.
class Checker {
 public:
  /// `complete`: every_file_parsed(program), which decides what is reported unknown.
  Checker(const Program& program, const FunctionRegistry& functions, Diagnostics& diagnostics,
          std::optional<TimePoint> now, bool complete);

  void run();

  // Names and duplicates (check_names.cpp).
  struct Named {
    std::string_view text;
    SourceRange range;
  };
  /// Reports each name already seen: "duplicate WHAT 'X' (first declared at line N)".
  void report_duplicates(const std::vector<Named>& names, std::string_view what,
                         std::string_view verb = "declared", Severity severity = Severity::error);
  /// "unknown WHAT 'NAME'[ in WHERE]; did you mean 'X'?"
  void report_unknown(SourceRange at, std::string_view what, std::string_view name,
                      const std::vector<std::string>& candidates, std::string_view where = {});
  /// "line N", or "path:N" when `first` is in another file than `at`.
  std::string line_of(const SourceRange& first, const SourceRange& at) const;

  // Expressions (check_types.cpp).
  StaticType expr(const ast::Expr& expr, const ExprScope& scope);
  // Kinds (check_kinds.cpp).
  /// `lhs op rhs` per the interpreter's apply_binary on sample values (memoized).
  const Outcome& binary_outcome(ast::BinaryOp op, KindSet lhs, KindSet rhs);
  /// Reports `value` (of type `type`) when it can never be stored in `field`.
  void check_assignable(const ast::FieldDecl& field, const ast::Expr& value, const StaticType& type);
  /// Reports `type` when it can never be `wanted` (a datasource setting, a schedule time).
  void check_kind(const ast::Expr& value, const StaticType& type, ValueKind wanted, std::string_view what);

  // Rules (check_rules.cpp).
  void check_block(const ast::Block& block, const ast::ProcessDecl& process);
  /// `on A { trigger B; }  on B { trigger A; }`, `on change A { set B = B + 1; }
  /// on change B { set A = A + 1; }`: handlers that always run each other (check_loops.cpp).
  void check_handler_loops(const ast::ProcessDecl& process);

  // Call sites (check_calls.cpp).
  /// What `call` by `process` evaluates besides its map, in `process`'s
  /// scope: the defaults of the request parts it does not map, the
  /// datasource's headers and settings. Reports each field one of them names
  /// that `process` lacks, once per expression and process.
  void check_caller_defaults(const ast::ProcessDecl& process, const ast::CallRule& call,
                             const ast::DatasourceDecl& datasource, const ast::MethodDecl& method);
  /// A call that sends a refresh_token and whose answer declares one that no
  /// mapping keeps: a provider that rotates refresh tokens has just spent the
  /// stored one (a warning: some providers do not rotate).
  void warn_dropped_refresh_token(const ast::ProcessDecl& process, const ast::CallRule& call,
                                  const ast::MethodDecl& method);
  /// A call of `method` keeps its whole answer (`into`): any member may be read.
  void note_whole_answer_kept(const ast::MethodDecl& method) { whole_answer_kept_.insert(&method); }

  /// An env(NAME[, default]) call, with the kinds of its arguments: the names
  /// a test's `env` may set, and the default a base_url reads.
  void note_env_call(const ast::Call& call, const std::vector<StaticType>& args);

  // Schedules (check_schedules.cpp).
  void check_schedule(const ast::ScheduleDecl& schedule);

  // Tests (check_tests.cpp).
  void check_test(const ast::TestDecl& test);
  /// A test's `env NAME = ...` that no env() of the program reads: a warning,
  /// once every expression has been checked (they note the names env() reads).
  void check_test_environment(const ast::TestDecl& test);
  /// `RECORD.query.NAME` or `RECORD.body["NAME"]` in a test, where RECORD is a
  /// request a mocked method was sent (DS.M.last, DS.M.requests[i], a mocked
  /// answer's `request`): refuses a NAME the method does not declare for that
  /// part, by its own name or its name on the wire. Other parts, and a
  /// method not known, are not checked.
  void check_recorded_part(const ast::Expr& record, std::string_view part, std::string_view name, SourceRange at,
                           const ExprScope& scope);

  // Literal secrets (checker.cpp): the source keeps them in version control.
  /// A secret field given a literal (its default, an instance's value, a `start`'s map).
  void warn_literal_secret(const ast::FieldDecl& field, const ast::Expr& value, const StaticType& type);
  /// A credential (`what`: "header 'X-Api-Key'", a map entry) given a literal.
  void warn_literal_credential(const std::string& what, const ast::Expr& value, const StaticType& type);

  // Shared lookups (checker.cpp).
  /// Program::datasource/process/instance through hash maps built once: the
  /// linear scans are too slow for programs with thousands of declarations.
  const ast::DatasourceDecl* datasource(std::string_view name) const;
  const ast::ProcessDecl* process(std::string_view name) const;
  /// A declared instance: the test's being checked first, then the program's.
  const ast::InstanceDecl* instance(std::string_view id) const;
  const ast::ProcessDecl* find_process(const ast::Name& name);
  const ast::FieldDecl* find_field(const ast::ProcessDecl& process, const ast::Name& name);
  const ast::Handler* find_handler(const ast::ProcessDecl& process, const ast::Name& name);
  /// DATASOURCE.METHOD as written in a rule or a test; `datasource` is set when
  /// that much exists. Reports the first name that does not.
  const ast::MethodDecl* find_method(const ast::Name& datasource_name, const ast::Name& method_name,
                                     const ast::DatasourceDecl*& datasource);
  /// Checks a constant Process ID against the declared instances of `process`:
  /// a warning when none is declared (the store may hold it), an error when it
  /// is declared for another process.
  void check_instance_id(const ast::Expr& id, const StaticType& type, const ast::ProcessDecl* process);

  /// False when a file failed to parse: a datasource, process or instance it
  /// declared may be what an "unknown" name means, so those are not reported.
  bool complete() const { return complete_; }
  const Program& program() const { return program_; }
  const FunctionRegistry& functions() const { return functions_; }
  /// What a schedule's `expires` is compared with; nullopt: not compared.
  std::optional<TimePoint> now() const { return now_; }
  Diagnostics& diagnostics() { return diagnostics_; }

 private:
  void check_datasource(const ast::DatasourceDecl& datasource);
  void check_settings(const ast::DatasourceDecl& datasource);
  /// What one setting's literal value shows: a base_url that is not http(s),
  /// negative retries, insecure_skip_verify not literally false, a TLS file
  /// that cannot be read.
  void check_setting_value(const ast::DatasourceDecl& datasource, const ast::Setting& setting, const StaticType& type);
  /// A base_url every call would be sent to (`url`, at `at`): http or https,
  /// with a host, no fragment. `when` ("", ", when API_URL is unset,") says
  /// when it is the one, for messages.
  void check_base_url(const ast::DatasourceDecl& datasource, const std::string& url, SourceRange at,
                      const std::string& when);
  /// A literal ca_file / client_cert / client_key (`written`) must name a
  /// file that can be read, from where a call reads it (path_beside).
  void check_tls_file(const ast::Setting& setting, const std::string& written);
  /// client_cert and client_key come as a pair.
  void check_client_certificate(const ast::DatasourceDecl& datasource);
  void check_method(const ast::MethodDecl& method);
  /// Two parts of a json request body at one place, or one inside the other
  /// (`a` and `c = "a.c"`): a run that maps both fails or loses one.
  void check_json_body_paths(const ast::MethodDecl& method);
  void check_process(const ast::ProcessDecl& process);
  void check_handlers(const ast::ProcessDecl& process);
  /// `in_test`: a test's seed, where literal secrets are expected.
  void check_instance(const ast::InstanceDecl& instance, bool in_test = false);
  void check_top_level_duplicates();
  /// `mock DS.M { ... }`: the method, and the answer's values; `scope` is
  /// the test's for mocked answers, given the method.
  void check_mock(const ast::MockStep& mock, ExprScope& scope);
  /// The `body { ... }` of a mocked answer of `status` (nullopt: computed):
  /// for a 2xx, each member must be one the method's declared response body
  /// fields read (the first member of their paths).
  void check_mock_body(const std::vector<ast::Assignment>& body, const std::optional<Value>& status,
                       const ast::DatasourceDecl& datasource, const ast::MethodDecl& method);

  const Program& program_;
  const FunctionRegistry& functions_;
  Diagnostics& diagnostics_;
  std::optional<TimePoint> now_;
  bool complete_ = true;
  // First declaration of each name, as Program's lookups find it.
  std::unordered_map<std::string_view, const ast::DatasourceDecl*> datasources_;
  std::unordered_map<std::string_view, const ast::ProcessDecl*> processes_;
  std::unordered_map<std::string_view, const ast::InstanceDecl*> instances_;
  const ast::TestDecl* test_ = nullptr;  // the test being checked
  // Asking the interpreter about sample values costs a thrown exception per
  // refusal; the answers depend on the kinds only, so each is asked once.
  std::unordered_map<std::uint32_t, Outcome> binary_memo_;
  std::unordered_map<std::uint32_t, KindSet> assign_memo_;
  /// What an env() call reads, literally: nullopt where it is computed.
  struct EnvRead {
    std::optional<std::string> name;
    std::optional<std::string> fallback;  // its second argument
  };
  std::unordered_map<const ast::Call*, EnvRead> env_reads_;
  std::unordered_set<const ast::MethodDecl*> whole_answer_kept_;
  /// (default expression, calling process) pairs already read by check_caller_defaults.
  std::set<std::pair<const ast::Expr*, const ast::ProcessDecl*>> defaults_read_;
};

/// Names of the declarations of `items` (datasources, fields, handlers ...).
template <typename Items>
std::vector<std::string> names_of(const Items& items) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(item.name.text);
  return out;
}

/// The `{param}` segments of a method's path, in order (those read before a
/// malformed part: its path_template).
std::vector<std::string> path_params(const ast::MethodDecl& method);
/// "request body", "request header", "path parameter" ...: for messages.
const char* part_kind_name(ast::PartKind kind);
/// "request header 'Authorization'": a declared part by its kind and its name on the wire.
std::string part_label(const ast::RequestPart& part);

/// A string literal without interpolation: its text.
std::optional<std::string> constant_text(const StaticType& type);

}  // namespace flow::check
