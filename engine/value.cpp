#include "engine/value.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <sstream>

#include <date/date.h>

#include "engine/iso_date.hpp"
#include "grammar/printable.hpp"

namespace flow {

bool operator==(const Value& a, const Value& b) { return a.data == b.data; }

const char* kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::null: return "null";
    case ValueKind::boolean: return "boolean";
    case ValueKind::number: return "number";
    case ValueKind::text: return "text";
    case ValueKind::datetime: return "datetime";
    case ValueKind::duration: return "duration";
    case ValueKind::json: return "json";
    case ValueKind::list: return "list";
  }
  return "value";
}

const char* field_type_name(ast::FieldType type) {
  switch (type) {
    case ast::FieldType::text: return "text";
    case ast::FieldType::number: return "number";
    case ast::FieldType::boolean: return "boolean";
    case ast::FieldType::datetime: return "datetime";
    case ast::FieldType::duration: return "duration";
    case ast::FieldType::secret: return "secret";
    case ast::FieldType::json: return "json";
    case ast::FieldType::list: return "list";
  }
  return "text";
}

std::string mask_secret(std::string_view secret) {
  std::string out(kSecretMask);
  if (secret.size() >= 16) out += secret.substr(secret.size() - 4);
  return out;
}

Value& mark_whole_secret(Value& value, bool whole) {
  value.whole_secret_ = whole && value.secret && value.is<std::string>();
  return value;
}

bool is_whole_secret(const Value& value) {
  return value.whole_secret_ && value.secret && value.is<std::string>();
}

static std::string format_number(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
    return std::to_string(static_cast<long long>(d));
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  return ec == std::errc{} ? std::string(buffer, end) : std::string("nan");
}

namespace {

/// A time outside years 0000-9999, in ISO 8601's expanded form: a sign and at least 4 digits.
/// date::year holds only -32767..32767 and wraps past it (a slot at 2^53 ms printed
/// as year -31821), so the civil date is computed here in 64 bits (H. Hinnant's
/// days_from_civil inverse).
std::string format_iso_expanded(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const auto time = t - day;  // [0, 24h)
  const std::int64_t z = day.time_since_epoch().count() + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;                                  // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                // [0, 11]
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time).count();
  char text[160];  // room for every field at its widest, as -Wformat-truncation counts
  std::snprintf(text, sizeof text, "%+05lld-%02lld-%02lldT%02lld:%02lld:%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(ms / 3600000),
                static_cast<long long>(ms / 60000 % 60), static_cast<long long>(ms / 1000 % 60));
  std::string out = text;
  if (ms % 1000 != 0) {
    std::snprintf(text, sizeof text, ".%03lld", static_cast<long long>(ms % 1000));
    out += text;
  }
  return out + "Z";
}

}  // namespace

std::string format_iso(TimePoint t) {
  using date::literals::operator""_y;
  static const TimePoint kFirst = date::sys_days(0_y / 1 / 1);
  static const TimePoint kEnd = date::sys_days(10000_y / 1 / 1);
  if (t < kFirst || t >= kEnd) return format_iso_expanded(t);
  const auto ms = t.time_since_epoch() % std::chrono::seconds(1);
  if (ms.count() == 0) return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(t));
  return date::format("%FT%TZ", t);
}

std::string format_duration(Duration d) {
  if (d.count() == 0) return "0s";
  std::string out = d.count() < 0 ? "-" : "";
  auto rest = d.count() < 0 ? -d : d;
  const auto take = [&](std::chrono::milliseconds unit, const char* suffix) {
    if (rest >= unit) {
      out += std::to_string(rest / unit) + suffix;
      rest %= unit;
    }
  };
  take(std::chrono::hours(24), "d");
  take(std::chrono::hours(1), "h");
  take(std::chrono::minutes(1), "m");
  take(std::chrono::seconds(1), "s");
  take(std::chrono::milliseconds(1), "ms");
  return out;
}

std::optional<std::int64_t> to_int64(double number) {
  // 2^63 is exact as a double; every double below it in magnitude converts.
  constexpr double kLimit = 9223372036854775808.0;
  if (!std::isfinite(number) || number >= kLimit || number < -kLimit) return std::nullopt;
  return static_cast<std::int64_t>(number);
}

RunError out_of_range(std::string_view what) {
  return RunError(std::string(what) + " is out of range: a number is at most about 1.8e308 in size");
}

Duration milliseconds_of(double ms) {
  constexpr double kMaxMilliseconds = 9007199254740992.0;  // 2^53
  if (!std::isfinite(ms) || std::fabs(ms) > kMaxMilliseconds) throw RunError("time out of range");
  return Duration(static_cast<std::int64_t>(ms));
}

std::string dump_json(const Json& json, int indent) {
  return json.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::string to_text(const Value& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(double d) const { return format_number(d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(TimePoint t) const { return format_iso(t); }
    std::string operator()(Duration d) const { return format_duration(d); }
    std::string operator()(const Json& j) const { return j.is_string() ? j.get<std::string>() : dump_json(j); }
    std::string operator()(const List& l) const {
      std::string out = "[";
      for (std::size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + to_text(l[i]);
      return out + "]";
    }
  };
  return std::visit(Visitor{}, value.data);
}

std::string display(const Value& value, bool reveal, SecretMask mask) {
  if (value.secret && !reveal) {
    // Empty is no secret, and a mask would read as a token that is there.
    if (value.is_null() || (value.is<std::string>() && value.as<std::string>().empty())) return "";
    const bool whole = mask == SecretMask::whole || is_whole_secret(value);
    return whole ? mask_secret(to_text(value)) : std::string(kSecretMask);
  }
  return to_text(value);
}

std::string shown(const Value& value, bool reveal, SecretMask mask) {
  if (value.is_null()) return "null";
  if (value.secret) return printable(display(value, reveal, mask));
  if (value.is<std::string>()) return quoted_text(value.as<std::string>());
  if (value.is<List>()) {
    std::string out = "[";
    for (const auto& item : value.as<List>()) out += (out.size() > 1 ? ", " : "") + shown(item, reveal);
    return out + "]";
  }
  return printable(to_text(value));
}

Json to_json(const Value& value, bool reveal, SecretMask mask) {
  if (value.secret && !reveal) return value.is_null() ? Json(nullptr) : Json(display(value, false, mask));
  struct Visitor {
    bool reveal;
    Json operator()(std::monostate) const { return nullptr; }
    Json operator()(bool b) const { return b; }
    Json operator()(double d) const {
      if (d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<long long>(d);
      return d;
    }
    Json operator()(const std::string& s) const { return s; }
    Json operator()(TimePoint t) const { return format_iso(t); }
    Json operator()(Duration d) const { return format_duration(d); }
    Json operator()(const Json& j) const { return j; }
    Json operator()(const List& l) const {
      Json out = Json::array();
      for (const auto& v : l) out.push_back(to_json(v, reveal));
      return out;
    }
  };
  return std::visit(Visitor{reveal}, value.data);
}

Value from_json(const Json& json) {
  switch (json.type()) {
    case Json::value_t::null: return Value();
    case Json::value_t::boolean: return Value(json.get<bool>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return Value(json.get<double>());
    case Json::value_t::string: return Value(json.get<std::string>());
    default: return Value(json);
  }
}

Json to_stored(const Value& value) {
  struct Visitor {
    Json operator()(std::monostate) const { return {{"t", "null"}}; }
    Json operator()(bool b) const { return {{"t", "boolean"}, {"v", b}}; }
    Json operator()(double d) const { return {{"t", "number"}, {"v", d}}; }
    Json operator()(const std::string& s) const { return {{"t", "text"}, {"v", s}}; }
    Json operator()(TimePoint t) const { return {{"t", "datetime"}, {"v", t.time_since_epoch().count()}}; }
    Json operator()(Duration d) const { return {{"t", "duration"}, {"v", d.count()}}; }
    Json operator()(const Json& j) const { return {{"t", "json"}, {"v", j}}; }
    Json operator()(const List& l) const {
      Json items = Json::array();
      for (const auto& v : l) items.push_back(to_stored(v));
      return {{"t", "list"}, {"v", items}};
    }
  };
  Json out = std::visit(Visitor{}, value.data);
  if (value.secret) out["secret"] = true;
  if (is_whole_secret(value)) out["whole"] = true;
  return out;
}

namespace {

/// The length of the well-formed UTF-8 sequence at text[i] (a byte >= 0x80),
/// or 0 when there is none: Unicode's table 3-7 (no overlong forms, no
/// surrogates, nothing past U+10FFFF), the sequences the Json serializer accepts.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto in = [&](std::size_t k, unsigned lo, unsigned hi) {
    if (i + k >= text.size()) return false;
    const auto byte = static_cast<unsigned char>(text[i + k]);
    return byte >= lo && byte <= hi;
  };
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead >= 0xC2 && lead <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const bool second = in(1, lead == 0xE0 ? 0xA0 : 0x80, lead == 0xED ? 0x9F : 0xBF);
    return second && in(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const bool second = in(1, lead == 0xF0 ? 0x90 : 0x80, lead == 0xF4 ? 0x8F : 0xBF);
    return second && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

/// Whether any of the 8 bytes in `word` needs more than a copy: a control
/// character, a quote, a backslash or a non-ASCII byte. Lets a JSON string
/// skip plain text 8 bytes at a time ("Bit Twiddling Hacks": a byte below n,
/// a zero byte; both exact as yes/no answers).
bool needs_care(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  constexpr std::uint64_t kHigh = 0x8080808080808080;
  const auto has_zero_byte = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const std::uint64_t below_space = (word - kOnes * 0x20) & ~word & kHigh;
  return (below_space | has_zero_byte(word ^ (kOnes * '"')) | has_zero_byte(word ^ (kOnes * '\\')) |
          (word & kHigh)) != 0;
}

/// The escape of a byte below 0x20, a quote or a backslash, as the Json serializer writes it.
void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char code[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out.append(code, sizeof code);
    }
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  const std::size_t start = out.size();
  out += '"';
  std::size_t pending = 0;  // where the bytes not yet appended begin: appended in runs, not one by one
  for (std::size_t i = 0; i < text.size();) {
    if (std::uint64_t word; i + sizeof word <= text.size()) {
      std::memcpy(&word, text.data() + i, sizeof word);
      if (!needs_care(word)) {
        i += sizeof word;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
    } else if (c >= 0x80) {
      const std::size_t length = utf8_length(text, i);
      if (length == 0) {  // not UTF-8: the Json serializer replaces it
        out.resize(start);
        out += dump_json(Json(std::string(text)));
        return;
      }
      i += length;
    } else {
      out.append(text.substr(pending, i - pending));
      append_escape(out, c);
      pending = ++i;
    }
  }
  out.append(text.substr(pending));
  out += '"';
}

namespace {

template <typename Number>
void append_number(std::string& out, Number number) {
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
  out.append(buffer, error == std::errc() ? end : buffer);
}

/// One value as to_stored(value).dump() would write it (keys in the same
/// order: secret, t, v, whole); json and list values take that route itself.
void append_stored(std::string& out, const Value& value) {
  if (value.is<Json>() || value.is<List>()) {
    out += dump_json(to_stored(value));
    return;
  }
  out += value.secret ? "{\"secret\":true,\"t\":" : "{\"t\":";
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "\"null\"";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "\"boolean\",\"v\":true" : "\"boolean\",\"v\":false";
        } else if constexpr (std::is_same_v<T, double>) {
          out += "\"number\",\"v\":";
          if (std::isfinite(v)) append_number(out, v);
          else out += "null";  // as the Json serializer writes NaN and infinities
        } else if constexpr (std::is_same_v<T, std::string>) {
          out += "\"text\",\"v\":";
          append_json_string(out, v);
        } else if constexpr (std::is_same_v<T, TimePoint>) {
          out += "\"datetime\",\"v\":";
          append_number(out, v.time_since_epoch().count());
        } else if constexpr (std::is_same_v<T, Duration>) {
          out += "\"duration\",\"v\":";
          append_number(out, v.count());
        }
      },
      value.data);
  out += is_whole_secret(value) ? ",\"whole\":true}" : "}";
}

}  // namespace

std::string to_stored_text(const std::map<std::string, Value>& fields) {
  std::size_t size = 2;  // a guess from the texts, to allocate once instead of growing a few times
  for (const auto& [name, value] : fields) {
    size += name.size() + 40 + (value.is<std::string>() ? value.as<std::string>().size() : 0);
  }
  std::string out;
  out.reserve(size);
  out += '{';
  for (const auto& [name, value] : fields) {  // a std::map: in key order, as a Json object
    if (out.size() > 1) out += ',';
    append_json_string(out, name);
    out += ':';
    append_stored(out, value);
  }
  out += '}';
  return out;
}

Value from_stored(const Json& json) {
  const auto type = json.value("t", std::string("null"));
  Value out;
  if (type == "boolean") out = Value(json.at("v").get<bool>());
  else if (type == "number") out = Value(json.at("v").get<double>());
  else if (type == "text") out = Value(json.at("v").get<std::string>());
  else if (type == "datetime") out = Value(TimePoint(Duration(json.at("v").get<std::int64_t>())));
  else if (type == "duration") out = Value(Duration(json.at("v").get<std::int64_t>()));
  else if (type == "json") out = Value(json.at("v"));
  else if (type == "list") {
    List items;
    for (const auto& item : json.at("v")) items.push_back(from_stored(item));
    out = Value(std::move(items));
  }
  out.secret = json.value("secret", false);
  // A secret field's value, as the run that saved it knew: `flow instances
  // show` without the files masks it as a run does.
  return mark_whole_secret(out, json.value("whole", false));
}

bool truthy(const Value& value) {
  struct Visitor {
    bool operator()(std::monostate) const { return false; }
    bool operator()(bool b) const { return b; }
    bool operator()(double d) const { return d != 0; }
    bool operator()(const std::string& s) const { return !s.empty(); }
    bool operator()(TimePoint) const { return true; }
    bool operator()(Duration d) const { return d.count() != 0; }
    bool operator()(const Json& j) const { return !j.is_null() && !(j.is_boolean() && !j.get<bool>()); }
    bool operator()(const List& l) const { return !l.empty(); }
  };
  return std::visit(Visitor{}, value.data);
}

static std::optional<double> parse_number(const std::string& text) {
  double d = 0;
  const auto* first = text.data();
  const auto* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, d);
  if (ec != std::errc{} || end != last || text.empty()) return std::nullopt;
  return d;
}

[[noreturn]] static void mismatch(const Value& value, ast::FieldType type, std::string_view field) {
  // The value too (an answer's "soon" for a number is what the reader must
  // see), shortened; never for a secret field, whose value is not masked yet.
  const std::string kind = kind_name(value.kind());
  const std::string target = " to " + std::string(field_type_name(type)) + " field '" + std::string(field) + "'";
  std::string what = kind;
  if (type != ast::FieldType::secret && !value.is_null()) {
    constexpr std::size_t kLongest = 60;
    what += " " + shortened(shown(value), kLongest);
  }
  throw FieldTypeMismatch("cannot assign " + what + target, "cannot assign " + kind + target);
}

/// ISO 8601 text as a datetime field's instant, read as parse_date reads it
/// (engine/iso_date.hpp): its offset, else the local time in its [Zone], else
/// UTC; nullopt when it is not ISO 8601. A zone the tz database does not know
/// is a RunError that names it.
static std::optional<TimePoint> iso_instant(const Value& text, std::string_view field) {
  const auto parsed = parse_iso(text.as<std::string>());
  if (!parsed) return std::nullopt;
  const date::time_zone* zone = parsed->zone.empty() ? nullptr : find_zone(parsed->zone);
  if (!parsed->zone.empty() && zone == nullptr) {
    throw RunError("cannot assign text to datetime field '" + std::string(field) + "': unknown time zone " +
                   shown(Value(parsed->zone, text.secret)));
  }
  return resolve(*parsed, zone);
}

static Value coerce_scalar(Value value, ast::FieldType type, std::string_view field) {
  using FT = ast::FieldType;
  const bool was_secret = value.secret;
  if (value.is<Json>()) value = from_json(value.as<Json>());
  value.secret = was_secret;
  switch (type) {
    case FT::text:
    case FT::secret:
      if (value.is<std::string>()) return value;
      if (value.is<double>() || value.is<bool>() || value.is<TimePoint>() || value.is<Duration>())
        return Value(to_text(value), value.secret);
      break;
    case FT::number:
      if (value.is<double>()) {
        if (!std::isfinite(value.as<double>())) throw out_of_range("the value for field '" + std::string(field) + "'");
        return value;
      }
      if (value.is<std::string>()) {
        if (auto n = parse_number(value.as<std::string>())) return Value(*n);
      }
      break;
    case FT::boolean:
      if (value.is<bool>()) return value;
      break;
    case FT::datetime:
      if (value.is<TimePoint>()) return value;
      if (value.is<double>()) {
        // A number in a datetime field is unix seconds (OAuth2 `created_at`).
        return Value(TimePoint(milliseconds_of(value.as<double>() * 1000)));
      }
      if (value.is<std::string>()) {
        if (auto t = iso_instant(value, field)) return Value(*t);
      }
      break;
    case FT::duration:
      if (value.is<Duration>()) return value;
      if (value.is<double>()) return Value(milliseconds_of(value.as<double>() * 1000));
      break;
    case FT::json:
    case FT::list: break;
  }
  mismatch(value, type, field);
}

/// Whether `value` (not null) is already of the kind a field of `type` holds:
/// coerce_to_field's fast path, which hands it back as it is but for its taint.
static bool holds_field_type(const Value& value, ast::FieldType type) {
  using FT = ast::FieldType;
  switch (type) {
    case FT::text:
    case FT::secret: return value.is<std::string>();
    case FT::number: return value.is<double>() && std::isfinite(value.as<double>());
    case FT::boolean: return value.is<bool>();
    case FT::datetime: return value.is<TimePoint>();
    case FT::duration: return value.is<Duration>();
    case FT::json: return value.is<Json>();
    case FT::list: return value.is<List>();
  }
  return false;
}

/// The taint a field of `type` gives its value: a secret field's value is
/// tainted and marked a secret known whole; another field's keeps its taint
/// and loses the mark (a tainted text in it is masked alone, as anything
/// computed from a secret).
static void taint_as_field(Value& value, ast::FieldType type) {
  value.secret = value.secret || type == ast::FieldType::secret;
  mark_whole_secret(value, type == ast::FieldType::secret);
}

/// coerce_to_field's one rule, in place: null or a value the field's type
/// already holds is only tainted (no copy); true when it was, false when
/// `value` needs converting (left untouched).
static bool typed_as_is(Value& value, ast::FieldType type) {
  if (!value.is_null() && !holds_field_type(value, type)) return false;
  taint_as_field(value, type);
  return true;
}

/// A value that is not of the kind a field of `type` holds, converted to it.
static Value converted(Value value, ast::FieldType type, std::string_view field_name) {
  using FT = ast::FieldType;
  const bool secret = value.secret;
  Value out;
  if (type == FT::json) {
    out = Value(to_json(value, true));
  } else if (type == FT::list) {
    if (!value.is<Json>() || !value.as<Json>().is_array()) mismatch(value, type, field_name);
    List items;
    for (const auto& item : value.as<Json>()) items.push_back(from_json(item));
    out = Value(std::move(items));
  } else {
    out = coerce_scalar(std::move(value), type, field_name);
  }
  out.secret = secret;
  taint_as_field(out, type);
  return out;
}

Value coerce_to_field(Value value, ast::FieldType type, std::string_view field_name) {
  if (typed_as_is(value, type)) return value;
  return converted(std::move(value), type, field_name);
}

void coerce_field_in_place(Value& value, ast::FieldType type, std::string_view field_name) {
  if (!typed_as_is(value, type)) value = converted(value, type, field_name);
}

}  // namespace flow
