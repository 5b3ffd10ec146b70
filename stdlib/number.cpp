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

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <vector>
#include <algorithm>

#include "stdlib/stdlib.hpp"
#include "stdlib/support.hpp"

namespace flow {
namespace {

using stdlib::number_arg;
using stdlib::tainted;

constexpr std::int64_t kMaxRoundDigits = 15;

/// `magnitude` (>= 0) rounded half away from zero at `digits` places after the
/// point, on its shortest decimal form: the digits it prints as (2.675 for the
/// double 2.67499999999999982236431605997495353221893310546875), so 2.675 rounds
/// to 2.68 as written, and a number with no digit past that place (any whole
/// number for digits >= 0, every double of 2^52 or more) comes back unchanged.
/// Infinity when the rounded number is too large for a double.
double round_decimal(double magnitude, std::int64_t digits) {
  if (!std::isfinite(magnitude)) return magnitude;
  char buffer[32];  // at most 17 digits, a point and "e+308"
  const auto printed = std::to_chars(buffer, buffer + sizeof buffer, magnitude, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<std::size_t>(printed.ptr - buffer));
  const auto e = text.find('e');
  std::string kept(text.substr(0, 1));  // the digits, without the point: 2.675e+00 -> 2675
  if (e > 2) kept += text.substr(2, e - 2);
  int exponent = 0;
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(), exponent);
  // The first digit rounded away; the number is kept * 10^(exponent + 1 - kept.size()).
  const std::int64_t dropped = exponent + 1 + digits;
  if (dropped >= static_cast<std::int64_t>(kept.size())) return magnitude;
  if (dropped < 0) return 0;
  const bool up = kept[static_cast<std::size_t>(dropped)] >= '5';
  kept.resize(static_cast<std::size_t>(dropped));
  auto digit = kept.rbegin();
  for (; up && digit != kept.rend() && *digit == '9'; ++digit) *digit = '0';
  if (up && digit == kept.rend()) kept.insert(kept.begin(), '1');
  else if (up) ++*digit;
  if (kept.empty()) return 0;
  kept += "e" + std::to_string(exponent + 1 - dropped);
  double rounded = 0;
  const auto read = std::from_chars(kept.data(), kept.data() + kept.size(), rounded);
  return read.ec == std::errc::result_out_of_range ? HUGE_VAL : rounded;
}

Value round_fn(std::span<const Value> args, const CallContext&) {
  const double x = number_arg("round", args[0]);
  const std::int64_t digits = args.size() > 1 ? stdlib::integer_arg("round", args[1]) : 0;
  if (digits < -kMaxRoundDigits || digits > kMaxRoundDigits) {
    throw RunError("round: digits must be between -15 and 15");
  }
  // Decimal, not x * 10^digits: that product carries a binary error (2.675 * 100
  // is 267.49999999999997) that no fixed nudge undoes at every size.
  return tainted(Value(std::copysign(round_decimal(std::fabs(x), digits), x)), args);
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
