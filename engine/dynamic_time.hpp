#pragma once
// A dynamic schedule's time (`at EXPR`) on one instance, or why it has none:
// not computable yet (fields it reads are still null: the first refresh has
// not run), or an error (jwt_claims of a token that is no JWT). The daemon and
// `flow test` log it (engine/task_runner.cpp); `flow tasks list FILE` shows it
// (engine/cli/cmd_admin.cpp). Both compute it with schedule_time.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/eval.hpp"
#include "grammar/diagnostics.hpp"

namespace flow {

class Program;
struct Host;

struct DynamicTime {
  std::optional<TimePoint> at;
  /// When there is no time and the expression reads fields that are null:
  /// their names, in the order it reads them. The time is not known *yet*.
  std::vector<std::string> null_fields;
  /// When there is no time otherwise: why, at the expression that failed,
  /// secrets masked.
  std::optional<Diagnostic> error;
};

/// `at` evaluated in `scope`, whose fields are the instance's.
DynamicTime dynamic_time(const ast::Expr& at, const Scope& scope);

/// The Process ID a schedule runs on: its `id` expression evaluated (it reads
/// no fields), or none when it has no `id`. Throws LocatedError.
std::optional<std::string> schedule_instance_id(const ast::ScheduleDecl& schedule, const Host& host);

/// A dynamic schedule's time on its instance now, or why it has none.
struct ScheduleTime {
  /// The instance's Process ID; none when the schedule has no `id` or it failed.
  std::optional<std::string> id;
  /// Only when asked not to seed: the store has no instance `id` yet (a run
  /// seeds it from its declaration), so there is no time.
  bool not_stored = false;
  /// The instance's revision as read (InstanceRecord::revision): it moves
  /// with every write, a run's in another process too.
  std::int64_t revision = 0;
  /// The time, or why there is none. `time.error` is also the id's failure or
  /// the instance's (no such instance, a stored value its type refuses).
  DynamicTime time;
};

/// For an `at EXPR` schedule with a process: its id evaluated, its instance
/// opened as a run opens it (load_or_create), and EXPR evaluated on it; none
/// for any other schedule. With `seed` false nothing is written: an instance
/// the store lacks is `not_stored`, not seeded. Throws StoreError.
std::optional<ScheduleTime> schedule_time(const Program& program, const Host& host, const ast::ScheduleDecl& schedule,
                                          bool seed);

/// The fields `expr` reads (by bare name) that are null in `fields`, in the
/// order it reads them, once each.
std::vector<std::string> null_fields_read(const ast::Expr& expr, const FieldMap& fields);

/// "ExpiresIn is null", "CreatedAt and ExpiresIn are null", "A, B and C are null"
/// (`of` names the instance: "ExpiresIn of TK-1 is null").
std::string null_fields_text(const std::vector<std::string>& names, const std::string& of = "");

}  // namespace flow
