#pragma once
// The registry of built-in functions. stdlib/ fills it (register_stdlib); the
// engine only knows this interface, never the stdlib itself.

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/value.hpp"

namespace flow {

class Clock;
class Program;
class Store;

/// What a built-in may touch besides its arguments.
struct CallContext {
  const Clock* clock = nullptr;   // now(), today()
  Store* store = nullptr;         // instance("ID")
  std::string instance_id;        // process_id() of the running instance
  /// env(): when set, these variables and no others (`flow test` is hermetic);
  /// else the process environment.
  const std::map<std::string, std::string, std::less<>>* environment = nullptr;
  /// instance("ID"): the declarations its stored values are typed by, as
  /// opening the instance for a run types them; nullptr: read as stored.
  const Program* program = nullptr;
};

/// A built-in. Throws RunError on a bad argument (the caller adds the location).
/// Implementations must propagate the secret taint: a result computed from a
/// secret argument is secret (see any_secret()).
using BuiltinFn = std::function<Value(std::span<const Value> args, const CallContext& context)>;

struct FunctionSpec {
  std::string name;
  int min_args = 0;
  int max_args = 0;  // -1: variadic
  /// Static result kind for the checker; nullopt when it depends on the arguments.
  std::optional<ValueKind> result;
  /// Static kinds of the parameters for the checker (may be shorter than max_args;
  /// nullopt entries accept anything).
  std::vector<std::optional<ValueKind>> params;
  BuiltinFn fn;
  std::string signature;  // "add_time(datetime, duration) -> datetime", for messages and :help
};

class FunctionRegistry {
 public:
  void add(FunctionSpec spec);
  const FunctionSpec* find(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, FunctionSpec, std::less<>> functions_;
};

/// True when any argument is secret: the result of a built-in inherits the taint.
bool any_secret(std::span<const Value> args);

/// The value of environment variable `name` as env() reads it: from the
/// context's environment when it has one (a test's), else the process's;
/// nullptr when it is not set.
const char* environment_variable(const std::string& name, const CallContext& context);

/// An environment variable env() needs and finds unset: its name as a message
/// shows it (a secret name masked) and as a test's `env NAME = "...";` writes it.
struct UnsetVariable {
  std::string shown;
  std::string written;
};

/// "environment variable X is not set", or for several "environment variables
/// X, Y are not set" (in the order given). `in_test`: adds that a test sees
/// only the variables it sets, never the shell's (which may well set them),
/// and how it sets each.
std::string unset_variables_message(const std::vector<UnsetVariable>& unset, bool in_test);

}  // namespace flow
