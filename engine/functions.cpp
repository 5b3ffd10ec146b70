#include "engine/functions.hpp"

#include <algorithm>

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

}  // namespace flow
