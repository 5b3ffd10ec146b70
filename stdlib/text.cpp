// text: upper lower trim length contains starts_with ends_with replace substring
// split join pad matches nonempty.
//
// Text is UTF-8. Positions and lengths (length, substring, pad) count Unicode code
// points, so a multi-byte character is never cut in half; upper/lower/trim only
// touch ASCII letters and ASCII white space, leaving other characters as they are.
// Null: every text argument reads null as "" (a blank field behaves like empty
// text); other kinds are a type error ("upper: expected text, got number").
// Secret taint: every result computed from a secret argument is secret, booleans
// and lengths included, so nothing derived from a secret reaches a log in clear.

#include <algorithm>
#include <cctype>
#include <regex>

#include "stdlib/regex_search.hpp"
#include "stdlib/stdlib.hpp"
#include "stdlib/support.hpp"

namespace flow {
namespace {

using stdlib::tainted;
using stdlib::text_or_empty;

constexpr std::size_t kMaxRegexPattern = 512;  // bytes
constexpr std::int64_t kMaxPadWidth = 10000;

/// Byte offset of code point `index` (or the end of the text).
std::size_t byte_offset(std::string_view text, std::size_t index) {
  std::size_t pos = 0;
  for (; pos < text.size(); ++pos) {
    if ((static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) continue;
    if (index == 0) return pos;
    --index;
  }
  return text.size();
}

template <typename Map>
Value map_ascii(std::string_view fn, std::span<const Value> args, Map map) {
  std::string text = text_or_empty(fn, args[0]);
  for (auto& c : text) c = static_cast<char>(map(static_cast<unsigned char>(c)));
  return tainted(Value(std::move(text)), args);
}

Value upper_fn(std::span<const Value> args, const CallContext&) {
  return map_ascii("upper", args, [](unsigned char c) { return std::toupper(c); });
}

Value lower_fn(std::span<const Value> args, const CallContext&) {
  return map_ascii("lower", args, [](unsigned char c) { return std::tolower(c); });
}

Value trim_fn(std::span<const Value> args, const CallContext&) {
  const std::string text = text_or_empty("trim", args[0]);
  constexpr const char* kSpace = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string::npos) return tainted(Value(""), args);
  const auto last = text.find_last_not_of(kSpace);
  return tainted(Value(text.substr(first, last - first + 1)), args);
}

/// Code points of text, elements of a list or json array/object, 0 for null.
std::optional<std::size_t> length_of(const Value& value) {
  if (value.is_null()) return 0;
  if (value.is<std::string>()) return stdlib::code_point_count(value.as<std::string>());
  if (value.is<List>()) return value.as<List>().size();
  if (!value.is<Json>()) return std::nullopt;
  const Json& json = value.as<Json>();
  if (json.is_string()) return stdlib::code_point_count(json.get_ref<const std::string&>());
  if (json.is_array() || json.is_object()) return json.size();
  return std::nullopt;
}

Value length_fn(std::span<const Value> args, const CallContext&) {
  const auto length = length_of(args[0]);
  if (!length) stdlib::throw_type_error("length", "text, list or json array/object", args[0]);
  return tainted(Value(static_cast<double>(*length)), args);
}

/// contains(text, part), or contains(list, value) for membership.
Value contains_fn(std::span<const Value> args, const CallContext&) {
  if (args[0].is<List>()) {
    const List& list = args[0].as<List>();
    const bool found = std::find(list.begin(), list.end(), args[1]) != list.end();
    return tainted(Value(found), args);
  }
  if (!args[0].is_null() && !args[0].is<std::string>()) {
    stdlib::throw_type_error("contains", "text or list", args[0]);
  }
  const std::string text = text_or_empty("contains", args[0]);
  const std::string part = text_or_empty("contains", args[1]);
  return tainted(Value(text.find(part) != std::string::npos), args);
}

Value starts_with_fn(std::span<const Value> args, const CallContext&) {
  const std::string text = text_or_empty("starts_with", args[0]);
  return tainted(Value(text.starts_with(text_or_empty("starts_with", args[1]))), args);
}

Value ends_with_fn(std::span<const Value> args, const CallContext&) {
  const std::string text = text_or_empty("ends_with", args[0]);
  return tainted(Value(text.ends_with(text_or_empty("ends_with", args[1]))), args);
}

/// Every occurrence, left to right, without rescanning replaced text.
Value replace_fn(std::span<const Value> args, const CallContext&) {
  const std::string text = text_or_empty("replace", args[0]);
  const std::string from = text_or_empty("replace", args[1]);
  const std::string to = text_or_empty("replace", args[2]);
  if (from.empty()) throw RunError("replace: the text to replace is empty");
  std::string out;
  std::size_t pos = 0;
  for (auto hit = text.find(from); hit != std::string::npos; hit = text.find(from, pos)) {
    out.append(text, pos, hit - pos).append(to);
    pos = hit + from.size();
  }
  out.append(text, pos);
  return tainted(Value(std::move(out)), args);
}

/// substring(text, start [, length]): code points from 0-based `start`; past the end is "".
Value substring_fn(std::span<const Value> args, const CallContext&) {
  const std::string text = text_or_empty("substring", args[0]);
  const std::int64_t start = stdlib::integer_arg("substring", args[1]);
  if (start < 0) throw RunError("substring: start must not be negative");
  const std::size_t begin = byte_offset(text, static_cast<std::size_t>(start));
  std::size_t end = text.size();
  if (args.size() > 2 && !args[2].is_null()) {
    const std::int64_t length = stdlib::integer_arg("substring", args[2]);
    if (length < 0) throw RunError("substring: length must not be negative");
    const std::string_view rest = std::string_view(text).substr(begin);
    end = begin + byte_offset(rest, static_cast<std::size_t>(length));
  }
  return tainted(Value(text.substr(begin, end - begin)), args);
}

/// split(text, sep): the parts between separators; "" splits into characters.
Value split_fn(std::span<const Value> args, const CallContext&) {
  const std::string text = text_or_empty("split", args[0]);
  const std::string separator = text_or_empty("split", args[1]);
  List parts;
  if (separator.empty()) {
    for (std::size_t pos = 0; pos < text.size();) {
      const std::size_t next = pos + byte_offset(std::string_view(text).substr(pos), 1);
      parts.emplace_back(text.substr(pos, next - pos));
      pos = next;
    }
    return tainted(Value(std::move(parts)), args);
  }
  std::size_t pos = 0;
  for (auto hit = text.find(separator); hit != std::string::npos; hit = text.find(separator, pos)) {
    parts.emplace_back(text.substr(pos, hit - pos));
    pos = hit + separator.size();
  }
  parts.emplace_back(text.substr(pos));
  return tainted(Value(std::move(parts)), args);
}

/// join(list [, sep]): elements as interpolation shows them (null as ""); a json array works too.
Value join_fn(std::span<const Value> args, const CallContext&) {
  List elements;
  if (args[0].is<Json>() && args[0].as<Json>().is_array()) {
    for (const auto& item : args[0].as<Json>()) elements.push_back(from_json(item));
  } else if (args[0].is<List>()) {
    elements = args[0].as<List>();
  } else {
    stdlib::throw_type_error("join", "list", args[0]);
  }
  const std::string separator = args.size() > 1 ? text_or_empty("join", args[1]) : std::string();
  std::string out;
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += separator;
    out += to_text(elements[i]);
  }
  return tainted(Value(std::move(out)), args);
}

/// pad(value, width [, fill]): Kianda's Pad, left-padding to `width` code points.
/// The fill defaults to "0" for a number (pad(7, 3) = "007", sign kept in front)
/// and to " " for text; longer values are returned whole.
Value pad_fn(std::span<const Value> args, const CallContext&) {
  const Value& value = args[0];
  if (!value.is_null() && !value.is<std::string>() && !value.is<double>()) {
    stdlib::throw_type_error("pad", "text or number", value);
  }
  const std::int64_t width = stdlib::integer_arg("pad", args[1]);
  if (width < 0 || width > kMaxPadWidth) {
    throw RunError("pad: width must be between 0 and " + std::to_string(kMaxPadWidth));
  }
  const bool number = value.is<double>();
  const std::string fill =
      args.size() > 2 ? text_or_empty("pad", args[2]) : std::string(number ? "0" : " ");
  if (stdlib::code_point_count(fill) != 1) throw RunError("pad: fill must be one character");
  std::string text = to_text(value);
  std::string sign;
  if (number && fill == "0" && text.starts_with('-')) {
    sign = "-";
    text.erase(0, 1);
  }
  const auto used = static_cast<std::int64_t>(stdlib::code_point_count(text) + sign.size());
  std::string out = sign;
  for (std::int64_t i = used; i < width; ++i) out += fill;
  return tainted(Value(out + text), args);
}

/// matches(text, regex): whether the ECMAScript regex matches anywhere in the text
/// (anchor it with ^...$ for a whole-text match).
Value matches_fn(std::span<const Value> args, const CallContext&) {
  const std::string text = text_or_empty("matches", args[0]);
  const std::string& pattern = stdlib::text_arg("matches", args[1]);
  if (pattern.size() > kMaxRegexPattern) {
    throw RunError("matches: pattern is longer than " + std::to_string(kMaxRegexPattern) +
                   " characters");
  }
  if (text.size() > stdlib::kMaxRegexSubject) {
    throw RunError("matches: text is longer than " + std::to_string(stdlib::kMaxRegexSubject) +
                   " bytes");
  }
  const std::string shown = stdlib::quoted(args[1]);
  std::regex regex;
  try {
    regex = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    throw RunError("matches: invalid regular expression " + shown + ": " + error.what());
  }
  try {
    return tainted(Value(stdlib::regex_search_deep(text, regex)), args);
  } catch (const std::exception& error) {
    // error_complexity / error_stack: the pattern backtracks too much on this text.
    throw RunError("matches: the search with " + shown + " failed: " + error.what());
  }
}

/// nonempty(value): the value, or null when it is null or empty text (a JSON
/// string included). `??` replaces only null, so an answer's `"refresh_token":
/// ""` would wipe a stored token: `nonempty(body.refresh_token) ?? RefreshToken`
/// keeps it.
Value nonempty_fn(std::span<const Value> args, const CallContext&) {
  const Value& value = args[0];
  const Json* json = value.is<Json>() ? &value.as<Json>() : nullptr;
  const bool empty = value.is_null() || (value.is<std::string>() && value.as<std::string>().empty()) ||
                     (json && (json->is_null() || (json->is_string() && json->get_ref<const std::string&>().empty())));
  return empty ? Value() : value;
}

}  // namespace

void register_text_functions(FunctionRegistry& registry) {
  using K = ValueKind;
  const auto any = std::nullopt;
  registry.add({"upper", 1, 1, K::text, {K::text}, upper_fn, "upper(text) -> text"});
  registry.add({"lower", 1, 1, K::text, {K::text}, lower_fn, "lower(text) -> text"});
  registry.add({"trim", 1, 1, K::text, {K::text}, trim_fn, "trim(text) -> text"});
  registry.add({"length", 1, 1, K::number, {any}, length_fn,
                "length(text | list | json) -> number"});
  registry.add({"contains", 2, 2, K::boolean, {any, any}, contains_fn,
                "contains(text, part) or contains(list, value) -> boolean"});
  registry.add({"starts_with", 2, 2, K::boolean, {K::text, K::text}, starts_with_fn,
                "starts_with(text, prefix) -> boolean"});
  registry.add({"ends_with", 2, 2, K::boolean, {K::text, K::text}, ends_with_fn,
                "ends_with(text, suffix) -> boolean"});
  registry.add({"replace", 3, 3, K::text, {K::text, K::text, K::text}, replace_fn,
                "replace(text, from, to) -> text"});
  registry.add({"substring", 2, 3, K::text, {K::text, K::number, K::number}, substring_fn,
                "substring(text, start [, length]) -> text"});
  registry.add({"split", 2, 2, K::list, {K::text, K::text}, split_fn,
                "split(text, separator) -> list"});
  registry.add({"join", 1, 2, K::text, {any, K::text}, join_fn,
                "join(list [, separator]) -> text"});
  registry.add({"pad", 2, 3, K::text, {any, K::number, K::text}, pad_fn,
                "pad(text | number, width [, fill]) -> text"});
  registry.add({"matches", 2, 2, K::boolean, {K::text, K::text}, matches_fn,
                "matches(text, regex) -> boolean"});
  registry.add({"nonempty", 1, 1, any, {any}, nonempty_fn, "nonempty(value) -> the value, or null when it is \"\""});
}

}  // namespace flow
