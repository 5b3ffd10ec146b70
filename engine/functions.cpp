#include "engine/functions.hpp"

#include <algorithm>
#include <cstdlib>

namespace flow {

void FunctionRegistry::add(FunctionSpec spec) {
  auto name = spec.name;
  functions_.insert_or_assign(std::move(name), std::move(spec));
}

const FunctionSpec* FunctionRegistry::find(std::string_view name) const {
  const auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

std::vector<std::string> FunctionRegistry::names() const {
  std::vector<std::string> result;
  for (const auto& [name, spec] : functions_) result.push_back(name);
  return result;
}

bool any_secret(std::span<const Value> args) {
  return std::any_of(args.begin(), args.end(), [](const Value& v) { return v.secret; });
}

const char* environment_variable(const std::string& name, const CallContext& context) {
  if (context.environment) {
    const auto found = context.environment->find(name);
    return found == context.environment->end() ? nullptr : found->second.c_str();
  }
  // std::getenv: the process environment is read-only once the engine runs.
  return std::getenv(name.c_str());
}

std::string unset_variables_message(const std::vector<UnsetVariable>& unset, bool in_test) {
  std::string names, settings;
  for (const auto& variable : unset) {
    names += (names.empty() ? "" : ", ") + variable.shown;
    settings += (settings.empty() ? "" : " ") + ("env " + variable.written + " = \"...\";");
  }
  std::string message = unset.size() == 1 ? "environment variable " + names + " is not set"
                                           : "environment variables " + names + " are not set";
  if (!in_test) return message;
  // A test's: the shell may well set them, and the message must not send the reader there.
  return message + " in this test, which sees only the variables it sets, never the shell's: " + settings;
}

}  // namespace flow
