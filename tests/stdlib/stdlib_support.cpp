#include "stdlib/stdlib_support.hpp"

#include <date/date.h>

#include <sstream>
#include <stdexcept>

#include "stdlib/stdlib.hpp"

namespace flow::test {

const FunctionRegistry& stdlib_registry() {
  static const FunctionRegistry registry = [] {
    FunctionRegistry r;
    register_stdlib(r);
    return r;
  }();
  return registry;
}

Value call(std::string_view name, std::vector<Value> args, const CallContext& context) {
  const FunctionSpec* spec = stdlib_registry().find(name);
  if (spec == nullptr) throw std::logic_error("no built-in " + std::string(name));
  const auto count = static_cast<int>(args.size());
  if (count < spec->min_args || (spec->max_args >= 0 && count > spec->max_args)) {
    throw std::logic_error("bad argument count for " + spec->signature);
  }
  return spec->fn(args, context);
}

Value secret(std::string text) { return Value(std::move(text), true); }

TimePoint at(std::string_view iso) {
  std::istringstream in{std::string(iso)};
  TimePoint t;
  in >> date::parse("%FT%TZ", t);
  if (in.fail()) throw std::logic_error("bad test instant " + std::string(iso));
  return t;
}

}  // namespace flow::test
