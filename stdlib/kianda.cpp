// Kianda's built-in names (Sum Date DateAdd ProcessID Pad), mapped onto the
// stdlib functions so a process ported from Kianda reads the same.
//
// An alias shares its target's behaviour, taint and messages (errors name the
// target: Pad(...) reports "pad: ..."). Date() is today(); Date(text [, pattern]
// [, zone]) is parse_date.

#include <stdexcept>

#include "stdlib/stdlib.hpp"

namespace flow {
namespace {

const FunctionSpec& target(const FunctionRegistry& registry, std::string_view name) {
  const FunctionSpec* spec = registry.find(name);
  // A missing target is a registration-order bug, not a user mistake.
  if (spec == nullptr) throw std::logic_error("kianda alias target missing: " + std::string(name));
  return *spec;
}

void alias(FunctionRegistry& registry, std::string name, std::string_view target_name) {
  FunctionSpec spec = target(registry, target_name);
  spec.signature = name + spec.signature.substr(target_name.size()) + " (alias of " +
                   std::string(target_name) + ")";
  spec.name = std::move(name);
  registry.add(std::move(spec));
}

void add_date(FunctionRegistry& registry) {
  const FunctionSpec& today = target(registry, "today");
  const FunctionSpec& parse_date = target(registry, "parse_date");
  registry.add({"Date", 0, 3, ValueKind::datetime, parse_date.params,
                [today = today.fn, parse = parse_date.fn](std::span<const Value> args,
                                                          const CallContext& context) {
                  return args.empty() ? today(args, context) : parse(args, context);
                },
                "Date() -> datetime (today) or Date(text [, pattern] [, zone]) -> datetime "
                "(parse_date)"});
}

}  // namespace

void register_kianda_functions(FunctionRegistry& registry) {
  alias(registry, "Sum", "sum");
  alias(registry, "DateAdd", "add_time");
  alias(registry, "ProcessID", "process_id");
  alias(registry, "Pad", "pad");
  add_date(registry);
}

}  // namespace flow
