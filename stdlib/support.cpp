#include "stdlib/support.hpp"

#include <algorithm>
#include <cmath>

#include "grammar/printable.hpp"

namespace flow::stdlib {

void throw_type_error(std::string_view fn, std::string_view expected, const Value& got) {
  throw RunError(std::string(fn) + ": expected " + std::string(expected) + ", got " +
                 kind_name(got.kind()));
}

std::string quoted(const Value& value) { return value.secret ? display(value) : quoted_text(display(value)); }

std::string text_or_empty(std::string_view fn, const Value& value) {
  if (value.is_null()) return {};
  return text_arg(fn, value);
}

const std::string& text_arg(std::string_view fn, const Value& value) {
  if (!value.is<std::string>()) throw_type_error(fn, "text", value);
  return value.as<std::string>();
}

double number_arg(std::string_view fn, const Value& value) {
  if (!value.is<double>()) throw_type_error(fn, "number", value);
  return value.as<double>();
}

std::int64_t integer_arg(std::string_view fn, const Value& value) {
  const double number = number_arg(fn, value);
  constexpr double kMaxExact = 9007199254740992.0;  // 2^53
  if (std::trunc(number) != number || std::fabs(number) > kMaxExact) {
    throw RunError(std::string(fn) + ": expected a whole number, got " + display(value));
  }
  return static_cast<std::int64_t>(number);
}

TimePoint datetime_arg(std::string_view fn, const Value& value) {
  if (!value.is<TimePoint>()) throw_type_error(fn, "datetime", value);
  return value.as<TimePoint>();
}

Duration duration_arg(std::string_view fn, const Value& value) {
  if (!value.is<Duration>()) throw_type_error(fn, "duration", value);
  return value.as<Duration>();
}

const Json& json_arg(std::string_view fn, const Value& value) {
  if (!value.is<Json>()) throw_type_error(fn, "json", value);
  return value.as<Json>();
}

bool deep_secret(const Value& value) {
  if (value.secret) return true;
  if (!value.is<List>()) return false;
  const auto& list = value.as<List>();
  return std::any_of(list.begin(), list.end(), [](const Value& v) { return deep_secret(v); });
}

Value tainted(Value result, std::span<const Value> args) {
  if (std::any_of(args.begin(), args.end(), [](const Value& v) { return deep_secret(v); })) {
    result.secret = true;
    // Elements of a list result are read one by one: each carries the taint too.
    if (result.is<List>()) {
      for (auto& element : result.as<List>()) element.secret = true;
    }
  }
  return result;
}

namespace {
struct TooDeep {};
}  // namespace

Json parse_json_text(std::string_view fn, std::string_view text) {
  constexpr int kMaxDepth = 512;
  const auto limit_depth = [](int depth, Json::parse_event_t, Json&) {
    if (depth > kMaxDepth) throw TooDeep{};
    return true;
  };
  try {
    return Json::parse(text, limit_depth);
  } catch (const TooDeep&) {
    throw RunError(std::string(fn) + ": document is nested deeper than " +
                   std::to_string(kMaxDepth) + " levels");
  } catch (const Json::parse_error& error) {
    throw RunError(std::string(fn) + ": invalid JSON at byte " + std::to_string(error.byte));
  } catch (const Json::exception&) {  // a number too large for a double (out_of_range.406)
    throw RunError(std::string(fn) + ": a number in the document is out of range");
  }
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0F];
  }
  return out;
}

std::size_t code_point_count(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace flow::stdlib
