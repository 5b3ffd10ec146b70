// number: round floor ceil abs min max sum to_number.
//
// Numbers are doubles. round() rounds half away from zero on the decimal value as
// written (round(2.675, 2) = 2.68, as a spreadsheet would), not on the nearest
// binary double (which is 2.67499999...).
// min, max and sum take numbers as separate arguments or one list (or json array)
// of numbers: sum(1, 2, 3) = sum([1, 2, 3]) = 6; sum() = 0, min()/max() of nothing
// is an error.
// Null: a null number is a type error (no silent zero); to_number(null) too.
// Secret taint: every result computed from a secret argument is secret.

#include <cfloat>
#include <charconv>
#include <cmath>
#include <optional>
#include <vector>
#include <algorithm>

#include "stdlib/stdlib.hpp"
#include "stdlib/support.hpp"

namespace flow {
namespace {

using stdlib::number_arg;
using stdlib::tainted;

constexpr std::int64_t kMaxRoundDigits = 15;

Value round_fn(std::span<const Value> args, const CallContext&) {
  const double x = number_arg("round", args[0]);
  const std::int64_t digits = args.size() > 1 ? stdlib::integer_arg("round", args[1]) : 0;
  if (digits < -kMaxRoundDigits || digits > kMaxRoundDigits) {
    throw RunError("round: digits must be between -15 and 15");
  }
  const double scale = std::pow(10.0, static_cast<double>(digits));
  const double scaled = x * scale;
  if (!std::isfinite(scaled)) return tainted(Value(x), args);
  // A few ulps towards the half way point undo the binary error of x * scale,
  // so 2.675 * 100 = 267.49999999999997 rounds as the 267.5 it was written as.
  const double nudged = scaled + std::copysign(std::fabs(scaled) * 4 * DBL_EPSILON, scaled);
  return tainted(Value(std::round(nudged) / scale), args);
}

BuiltinFn unary(std::string name, double (*op)(double)) {
  return [name = std::move(name), op](std::span<const Value> args, const CallContext&) {
    return tainted(Value(op(number_arg(name, args[0]))), args);
  };
}

/// The numbers of a variadic call: the arguments, or the elements of one list/json array.
std::vector<double> numbers_of(std::string_view fn, std::span<const Value> args) {
  std::vector<double> numbers;
  if (args.size() == 1 && args[0].is<List>()) {
    for (const auto& element : args[0].as<List>()) numbers.push_back(number_arg(fn, element));
  } else if (args.size() == 1 && args[0].is<Json>() && args[0].as<Json>().is_array()) {
    for (const auto& element : args[0].as<Json>()) {
      numbers.push_back(number_arg(fn, from_json(element)));
    }
  } else {
    for (const auto& arg : args) numbers.push_back(number_arg(fn, arg));
  }
  return numbers;
}

BuiltinFn extreme(std::string name, bool want_max) {
  return [name = std::move(name), want_max](std::span<const Value> args, const CallContext&) {
    const auto numbers = numbers_of(name, args);
    if (numbers.empty()) throw RunError(name + ": expected at least one number");
    const auto it = want_max ? std::max_element(numbers.begin(), numbers.end())
                             : std::min_element(numbers.begin(), numbers.end());
    return tainted(Value(*it), args);
  };
}

Value sum_fn(std::span<const Value> args, const CallContext&) {
  double total = 0;
  for (const double n : numbers_of("sum", args)) total += n;
  return tainted(Value(total), args);
}

/// Decimal text (surrounding white space allowed, an optional sign, an exponent)
/// as a number; anything else, "nan" and "inf" included, is a run error.
std::optional<double> parse_number(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
  if (text.starts_with('+')) text.remove_prefix(1);
  if (text.empty() || text.starts_with('+')) return std::nullopt;
  double value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

Value to_number_fn(std::span<const Value> args, const CallContext&) {
  const Value& value = args[0];
  if (value.is<double>()) return value;
  if (value.is<Json>() && value.as<Json>().is_number()) {
    return tainted(Value(value.as<Json>().get<double>()), args);
  }
  const bool json_text = value.is<Json>() && value.as<Json>().is_string();
  if (!value.is<std::string>() && !json_text) {
    stdlib::throw_type_error("to_number", "text or number", value);
  }
  const std::string& text =
      json_text ? value.as<Json>().get_ref<const std::string&>() : value.as<std::string>();
  const auto number = parse_number(text);
  if (!number) {
    throw RunError("to_number: " + stdlib::quoted(value) + " is not a number");
  }
  return tainted(Value(*number), args);
}

}  // namespace

void register_number_functions(FunctionRegistry& registry) {
  using K = ValueKind;
  const auto any = std::nullopt;
  registry.add({"round", 1, 2, K::number, {K::number, K::number}, round_fn,
                "round(number [, digits]) -> number"});
  registry.add({"floor", 1, 1, K::number, {K::number},
                unary("floor", [](double x) { return std::floor(x); }),
                "floor(number) -> number"});
  registry.add({"ceil", 1, 1, K::number, {K::number},
                unary("ceil", [](double x) { return std::ceil(x); }),
                "ceil(number) -> number"});
  registry.add({"abs", 1, 1, K::number, {K::number},
                unary("abs", [](double x) { return std::fabs(x); }),
                "abs(number) -> number"});
  registry.add({"min", 1, -1, K::number, {}, extreme("min", false),
                "min(number, ... | list) -> number"});
  registry.add({"max", 1, -1, K::number, {}, extreme("max", true),
                "max(number, ... | list) -> number"});
  registry.add({"sum", 0, -1, K::number, {}, sum_fn, "sum(number, ... | list) -> number"});
  registry.add({"to_number", 1, 1, K::number, {any}, to_number_fn,
                "to_number(text | number) -> number"});
}

}  // namespace flow
