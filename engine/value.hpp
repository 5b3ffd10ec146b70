#pragma once
// Run-time values. A Value carries a `secret` taint bit that follows the value
// through every operation (concatenation, interpolation, function calls), so
// masking never depends on matching strings.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "grammar/ast.hpp"

namespace flow {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;
using Json = nlohmann::json;

struct Value;
using List = std::vector<Value>;

/// The static/dynamic kinds of value. `secret` is not a kind: it is a taint on text.
enum class ValueKind { null, boolean, number, text, datetime, duration, json, list };

struct Value {
  std::variant<std::monostate, bool, double, std::string, TimePoint, Duration, Json, List> data;
  bool secret = false;

  Value() = default;
  Value(bool b) : data(b) {}
  Value(double d) : data(d) {}
  Value(int i) : data(static_cast<double>(i)) {}
  Value(std::int64_t i) : data(static_cast<double>(i)) {}
  Value(std::string s, bool is_secret = false) : data(std::move(s)), secret(is_secret) {}
  Value(const char* s) : data(std::string(s)) {}
  Value(TimePoint t) : data(t) {}
  Value(Duration d) : data(d) {}
  Value(Json j) : data(std::move(j)) {}
  Value(List l) : data(std::move(l)) {}

  ValueKind kind() const { return static_cast<ValueKind>(data.index()); }
  bool is_null() const { return data.index() == 0; }
  template <typename T> bool is() const { return std::holds_alternative<T>(data); }
  template <typename T> const T& as() const { return std::get<T>(data); }
  /// Write access to the content: whatever is done with it derives a new
  /// text, so the value is no longer a secret known whole (mark_whole_secret()).
  template <typename T> T& as() {
    whole_secret_ = false;
    return std::get<T>(data);
  }

  friend bool operator==(const Value& a, const Value& b);
  friend Value& mark_whole_secret(Value& value, bool whole);
  friend bool is_whole_secret(const Value& value);

 private:
  /// Set by mark_whole_secret() alone, and travels with copies of the value:
  /// every operation that computes a text builds a new Value (unmarked), and
  /// as() drops it for a change in place. A flag, not the text's hash: no
  /// hashing at each read of a secret field, and no size beyond `secret`'s.
  bool whole_secret_ = false;
};

namespace detail {
struct TaintedOnly {
  decltype(Value::data) data;
  bool secret;
};
}  // namespace detail
static_assert(sizeof(Value) == sizeof(detail::TaintedOnly), "the whole-secret mark fits beside the taint bit");

/// A user-facing run-time error (bad type, failed call, ...). The interpreter adds
/// the source location and handler trace when it catches it.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A value a field's type refuses (coerce_to_field): what() names the value
/// (shortened; never a secret field's); `typed` only the types, for the
/// checker, whose values are samples of a type (a made-up 1s is no help).
class FieldTypeMismatch : public RunError {
 public:
  FieldTypeMismatch(const std::string& with_value, std::string typed)
      : RunError(with_value), typed(std::move(typed)) {}
  std::string typed;  // "cannot assign text to number field 'ExpiresIn'"
};

/// "text", "number", ... as used in messages.
const char* kind_name(ValueKind kind);
const char* field_type_name(ast::FieldType type);

/// Masks a secret for display: "••••" plus the last 4 characters when the secret
/// is long enough (>= 16) that they reveal nothing useful; "••••" otherwise.
/// Only for a text that IS a secret the run knows whole: of a text derived
/// from one (a substring, a concatenation, to_json of it) the last 4 are any
/// part of the secret (`substring(Token, 0, 16)` ends with its 13th-16th), so
/// it is masked as kSecretMask alone.
std::string mask_secret(std::string_view secret);

/// The mask of a tainted text that is not a secret the run knows whole.
inline constexpr std::string_view kSecretMask = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";  // ••••

/// How a tainted value is masked: `whole` when the caller knows its text is a
/// secret the run knows whole (a secret field's value, a secret request part's
/// wire value), as mask_secret() writes it; `derived`, the default, as
/// kSecretMask alone unless the value is marked whole (is_whole_secret()).
enum class SecretMask { derived, whole };

/// Marks tainted text as a secret the run knows whole (the value of a field
/// declared `secret`: coerce_to_field(); as saved: from_stored()), so that
/// display() shows its last 4 characters; with `whole` false, drops the mark.
/// A value computed from it is not whole: it is a new Value, or was changed in
/// place through as(), which drops the mark.
Value& mark_whole_secret(Value& value, bool whole = true);
/// Whether `value` is tainted text marked whole.
bool is_whole_secret(const Value& value);

/// Plain text of a value as interpolation and `log` see it (secrets in clear:
/// the taint bit travels with the resulting Value, callers mask on output).
std::string to_text(const Value& value);

/// Text for output: secrets masked unless `reveal`, as `mask` says; an empty
/// one is shown empty (a mask would read as a token that is there).
std::string display(const Value& value, bool reveal = false, SecretMask mask = SecretMask::derived);

/// A value as the CLI, the REPL and test reports show it: null as `null`, text
/// in double quotes (quoted_text()), a secret as display() writes it (masked
/// unless `reveal`, never quoted), a list as [a, b] of shown elements, the rest
/// as display() writes it; control characters escaped (printable()) throughout.
std::string shown(const Value& value, bool reveal = false, SecretMask mask = SecretMask::derived);

/// JSON form used by the store and `--json` output; secrets masked unless `reveal`, as `mask` says.
Json to_json(const Value& value, bool reveal, SecretMask mask = SecretMask::derived);
/// Values from a JSON document (e.g. a response field): objects/arrays stay json,
/// scalars become text/number/boolean/null.
Value from_json(const Json& json);

/// Typed storage form: {"t":"text","v":...}; round-trips every kind, the secret
/// bit and the mark of a secret known whole.
Json to_stored(const Value& value);
Value from_stored(const Json& json);
/// The JSON text of an object of `fields` (name -> to_stored(value)), written
/// directly instead of through Json objects: every save writes it. Parses to
/// the same document as the Json route.
std::string to_stored_text(const std::map<std::string, Value>& fields);
/// The JSON text of `json` as every writer of JSON in the engine makes it:
/// text is UTF-8, and bytes that are not (a server may answer with any bytes)
/// are written as U+FFFD instead of failing the save, the log or the request.
std::string dump_json(const Json& json, int indent = -1);
/// Appends `text` as a JSON string, byte for byte as dump_json(Json(text))
/// writes it: the escaper of every JSON text the store writes directly.
void append_json_string(std::string& out, std::string_view text);

/// Truthiness for conditions: false, null, "" and 0 are false.
bool truthy(const Value& value);

/// Converts a value assigned to a field of `type`, or throws RunError naming both types.
/// The value of a `secret` field is marked a secret known whole, of any other not.
/// Text that spells a number converts to number (form/JSON answers often carry "3600").
Value coerce_to_field(Value value, ast::FieldType type, std::string_view field_name);

/// coerce_to_field on a value in place; a value the field's type already
/// holds is only tainted as the type asks (no copy: a run types every stored
/// field as it loads them). On an error `value` is left as it was.
void coerce_field_in_place(Value& value, ast::FieldType type, std::string_view field_name);

/// The error for a number that is not finite: `what` ("the result of '*'") is
/// out of a number's range. Infinity and NaN are never a value: the store
/// could not keep them, and every later step would compute nonsense.
RunError out_of_range(std::string_view what);

/// `number` as a whole int64 (truncated toward zero), or nullopt when it is
/// not finite or out of int64's range: converting such a double is undefined.
std::optional<std::int64_t> to_int64(double number);
/// A count of milliseconds as a Duration; RunError when `ms` is not finite or
/// beyond 2^53 (what a double holds exactly; about 285,000 years).
Duration milliseconds_of(double ms);

/// ISO 8601 UTC text of a time point: 2026-11-28T18:51:10Z (milliseconds when non-zero);
/// outside years 0000-9999 in the expanded form, signed: +287396-10-12T08:59:00.992Z, -0001-12-31T23:59:59Z.
std::string format_iso(TimePoint t);
/// Human form of a duration: 1h30m, 55m, 10s, 500ms.
std::string format_duration(Duration d);

}  // namespace flow
