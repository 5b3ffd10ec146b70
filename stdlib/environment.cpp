// environment: env(name [, default]).
//
// Secret taint: the value of a variable is not secret by itself; assigning it to
// a `secret` field taints it there (field coercion). A secret name or default
// makes the result secret, like every other built-in.
// Null: env(name, null) returns null when the variable is unset, so
// `env("X", null) ?? ...` can test for presence.

#include "stdlib/stdlib.hpp"
#include "stdlib/support.hpp"

namespace flow {
namespace {

/// Read at call time: a variable set after start-up is seen by the next run.
Value env(std::span<const Value> args, const CallContext& context) {
  const std::string& name = stdlib::text_arg("env", args[0]);
  if (args.size() > 1 && !args[1].is_null() && !args[1].is<std::string>()) {
    stdlib::throw_type_error("env", "text or null as the default", args[1]);
  }
  if (const char* value = environment_variable(name, context)) {
    return stdlib::tainted(Value(std::string(value)), args);
  }
  if (args.size() > 1) return stdlib::tainted(args[1], args);
  // A secret name stays out of the message (secrets never reach a diagnostic).
  const UnsetVariable unset{display(args[0]), args[0].secret ? "NAME" : name};
  throw RunError(unset_variables_message({unset}, context.environment != nullptr));
}

}  // namespace

void register_environment_functions(FunctionRegistry& registry) {
  registry.add({"env", 1, 2, ValueKind::text, {ValueKind::text, std::nullopt}, env,
                "env(name [, default]) -> text"});
}

}  // namespace flow
