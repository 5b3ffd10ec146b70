#pragma once
// Argument helpers shared by the stdlib modules, so every built-in reports a bad
// argument the same way ("upper: expected text, got number") and propagates the
// secret taint the same way. Internal to stdlib/: the engine never includes it.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "engine/functions.hpp"
#include "engine/value.hpp"

namespace flow::stdlib {

/// Throws RunError "<fn>: expected <expected>, got <kind of got>".
[[noreturn]] void throw_type_error(std::string_view fn, std::string_view expected,
                                   const Value& got);

/// A value for an error message, in quotes; a secret as its mask without
/// quotes, as everywhere else (display()): secrets never reach a diagnostic in clear.
std::string quoted(const Value& value);

/// Text argument; null reads as "" (the modules that use it say so).
std::string text_or_empty(std::string_view fn, const Value& value);
/// Text argument that must be present: null is a type error.
const std::string& text_arg(std::string_view fn, const Value& value);
/// Number argument that must be a whole number within +-2^53.
std::int64_t integer_arg(std::string_view fn, const Value& value);
/// Arguments of one kind: anything else, null included, is a type error.
double number_arg(std::string_view fn, const Value& value);
TimePoint datetime_arg(std::string_view fn, const Value& value);
Duration duration_arg(std::string_view fn, const Value& value);
const Json& json_arg(std::string_view fn, const Value& value);

/// True when the value, or any element of a list nested in it, is secret.
bool deep_secret(const Value& value);
/// `result`, marked secret when any argument is (deep_secret on each): the single
/// taint rule of the stdlib (a result computed from a secret is secret).
Value tainted(Value result, std::span<const Value> args);

/// JSON text as a document nested at most 512 levels (parsing is iterative, but
/// printing and comparing json recurse). Throws RunError "<fn>: invalid JSON at
/// byte N" or "<fn>: document is nested deeper than 512 levels", never quoting
/// the text, which may be a secret. N counts from 1: the byte where parsing stopped.
Json parse_json_text(std::string_view fn, std::string_view text);

/// Lowercase hexadecimal of bytes, two digits per byte.
std::string to_hex(std::string_view bytes);

/// Number of Unicode code points of UTF-8 text (bytes that are not continuation bytes).
std::size_t code_point_count(std::string_view text);

}  // namespace flow::stdlib
