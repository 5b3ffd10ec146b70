// append_json_string writes what the Json serializer writes, byte for byte:
// the store's stored texts (fields, run logs) depend on it.
#include "engine/value.hpp"

#include <date/date.h>

#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>


namespace {

/// Json(text).dump(), or the message it throws.
/// What the Json serializer writes, replacing bytes that are not UTF-8 (U+FFFD).
std::string json_route(const std::string& text) { return flow::dump_json(flow::Json(text)); }

/// append_json_string after a prefix, or the message it throws; the prefix must stay as it was.
std::string direct_route(const std::string& text) {
  const std::string prefix = "[1,";
  std::string out = prefix;
  try {
    flow::append_json_string(out, text);
  } catch (const flow::Json::exception& e) {
    CHECK(out == prefix);
    return std::string("threw: ") + e.what();
  }
  REQUIRE(out.compare(0, prefix.size(), prefix) == 0);
  return out.substr(prefix.size());
}

}  // namespace

TEST_CASE("append_json_string: every ASCII byte as the Json serializer writes it", "[value]") {
  for (int c = 0; c < 0x80; ++c) {
    const std::string text = "a" + std::string(1, static_cast<char>(c)) + "b";
    INFO("byte " << c);
    CHECK(direct_route(text) == json_route(text));
  }
}

TEST_CASE("append_json_string: a long mixed string, byte for byte", "[value]") {
  std::string text;
  for (int i = 0; i < 50; ++i) {
    text += "access_token=eyJhbGciOiJSUzI1NiJ9.payload-" + std::to_string(i);
    text += "\t\"quoted\" \\ back\nline\r\x01\x1f\x7f";
    text += std::string(1, '\0');
    text += "caf\xC3\xA9 \xE2\x80\xA2\xE2\x80\xA2 \xF0\x9F\x94\x91 end/";
  }
  const std::string expected = flow::Json(text).dump();
  CHECK(direct_route(text) == expected);
  CHECK(direct_route("") == "\"\"");
  CHECK(direct_route("plain") == "\"plain\"");
}

TEST_CASE("append_json_string: UTF-8 kept at the edges of each sequence length", "[value]") {
  for (const std::string text : {"\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80",
                                 "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    INFO(text);
    CHECK(direct_route(text) == "\"" + text + "\"");
    CHECK(direct_route(text) == json_route(text));
  }
}

TEST_CASE("append_json_string: invalid UTF-8 is written as U+FFFD, as the Json serializer replaces it", "[value]") {
  for (const std::string text : {"\x80", "a\xBF", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF",
                                 "\xED\xA0\x80", "\xF0\x80\x80\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
                                 "\xFF", "x\xE2\x82", "\xC3", "\xE2\x28\xA1", "ok \xC3\xA9 then \xC3("}) {
    INFO(flow::Json(text).dump(-1, ' ', true, flow::Json::error_handler_t::replace));
    const std::string expected = json_route(text);
    CHECK(expected.find("\xEF\xBF\xBD") != std::string::npos);  // U+FFFD
    CHECK(direct_route(text) == expected);
  }
}

TEST_CASE("append_json_string: random byte strings agree with the Json serializer", "[value]") {
  // Bytes from every class: plain (weighted up, so that long plain runs occur), escaped, control,
  // UTF-8 leads and continuations, never-valid.
  const std::vector<unsigned char> alphabet{'a', 'Z', ' ', '/', 'a', 'b', 'c', 'd', '~', '!', 'a', 'z', 0x21, 0x7E, '"', '\\', 0x00, 0x0A, 0x1F, 0x7F, 0x80, 0x9F,
                                            0xA0, 0xBF, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  std::mt19937 random(20261119);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> length(0, 40);  // past 8 bytes: plain text is skipped a word at a time
  int valid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (int n = length(random); n > 0; --n) text += static_cast<char>(alphabet[pick(random)]);
    const std::string expected = json_route(text);
    if (expected.find("\xEF\xBF\xBD") == std::string::npos) ++valid;
    if (direct_route(text) != expected) {
      FAIL_CHECK(flow::Json(text).dump(-1, ' ', true, flow::Json::error_handler_t::replace) << ": "
                                                                                          << direct_route(text)
                                                                                          << " vs " << expected);
    }
  }
  CHECK(valid > 1000);  // both outcomes were exercised
  CHECK(valid < 19000);
}

TEST_CASE("numbers beyond what a time holds are errors, not undefined conversions (found by fuzzing)", "[value]") {
  using flow::ast::FieldType;
  for (const double huge : {1e300, -1e300, 9.3e15, std::numeric_limits<double>::infinity()}) {
    INFO(huge);
    CHECK_THROWS_AS(flow::coerce_to_field(flow::Value(huge), FieldType::datetime, "At"), flow::RunError);
    CHECK_THROWS_AS(flow::coerce_to_field(flow::Value(huge), FieldType::duration, "Wait"), flow::RunError);
  }
  CHECK(flow::coerce_to_field(flow::Value(1700000000), FieldType::datetime, "At") ==
        flow::Value(flow::TimePoint(std::chrono::seconds(1700000000))));
  CHECK_FALSE(flow::to_int64(1e300));
  CHECK_FALSE(flow::to_int64(std::nan("")));
  CHECK(flow::to_int64(-3.7) == -3);
}

TEST_CASE("text shaped almost like ISO 8601 is not a datetime (date::parse is never fed it)", "[value]") {
  using flow::ast::FieldType;
  for (const std::string text : {"2027-06-30Ton:00:00Z", "2027-06-30T12:0", "2027-6-30", "20270630", "2027-06-30X"}) {
    INFO(text);
    CHECK_THROWS_WITH(flow::coerce_to_field(flow::Value(text), FieldType::datetime, "At"),
                      Catch::Contains("cannot assign text \"" + text + "\" to datetime field 'At'"));
  }
  CHECK(flow::coerce_to_field(flow::Value("2027-06-30T12:00:00Z"), FieldType::datetime, "At").is<flow::TimePoint>());
  CHECK(flow::coerce_to_field(flow::Value("2027-06-30"), FieldType::datetime, "At").is<flow::TimePoint>());
  CHECK(flow::coerce_to_field(flow::Value("2027-06-30 12:00:00"), FieldType::datetime, "At").is<flow::TimePoint>());
  CHECK(flow::coerce_to_field(flow::Value("2027-06-30T12:00:00+01:00"), FieldType::datetime, "At").is<flow::TimePoint>());
}

TEST_CASE("ISO 8601 offsets and fractions are read only in their exact forms", "[value]") {
  using flow::ast::FieldType;
  const auto at = [](const std::string& text) {
    return flow::coerce_to_field(flow::Value(text), FieldType::datetime, "At").as<flow::TimePoint>();
  };
  CHECK(at("2027-06-30T12:00:00+01:00") == at("2027-06-30T11:00:00Z"));
  CHECK(at("2027-06-30T12:00:00+0100") == at("2027-06-30T11:00:00Z"));
  CHECK(at("2027-06-30T12:00:00.250Z") - at("2027-06-30T12:00:00Z") == std::chrono::milliseconds(250));
  for (const std::string text : {"2072-01-30T00:00:007200-0:100", "2027-06-30T12:00:00+1:00", "2027-06-30T12:00:00.Z",
                                 "2027-06-30T12:00:00+01:0", "2027-06-30T12:00:00 Z"}) {
    INFO(text);
    CHECK_THROWS_AS(flow::coerce_to_field(flow::Value(text), FieldType::datetime, "At"), flow::RunError);
  }
}

TEST_CASE("ISO 8601 text into a datetime field: exact values, impossible dates refused (read by hand)", "[value]") {
  using flow::ast::FieldType;
  using namespace std::chrono;
  const auto at = [](const std::string& text) {
    return flow::coerce_to_field(flow::Value(text), FieldType::datetime, "At").as<flow::TimePoint>();
  };
  const flow::TimePoint day{date::sys_days{date::year{2027} / 6 / 30}.time_since_epoch()};
  // A date alone: date::parse read an uninitialized seconds value trying the
  // longer patterns first (UBSan, found by fuzzing).
  CHECK(at("2027-06-30") == day);
  CHECK(at("2027-06-30 14:05:09") == day + 14h + 5min + 9s);
  CHECK(at("2027-06-30T14:05:09.25+01:00") == day + 13h + 5min + 9s + 250ms);
  CHECK(at("2027-06-30T14:05:09.123456789Z") == day + 14h + 5min + 9s + 123ms);
  CHECK(at("2027-06-30T00:30:00-0530") == day + 6h);
  for (const std::string text : {"2027-02-30", "2027-13-01", "2027-06-30T24:00:00Z", "2027-06-30T12:60:00Z",
                                 "2027-06-30T12:00:00+24:00", "2027-06-30T12:00:00+01:60"}) {
    INFO(text);
    CHECK_THROWS_AS(flow::coerce_to_field(flow::Value(text), FieldType::datetime, "At"), flow::RunError);
  }
}

TEST_CASE("a datetime field takes the ISO 8601 parse_date takes: HH:MM, +HH, t and z, a comma, a [Zone]", "[value]") {
  using flow::ast::FieldType;
  using namespace std::chrono;
  const auto at = [](const std::string& text) {
    INFO(text);
    return flow::coerce_to_field(flow::Value(text), FieldType::datetime, "At").as<flow::TimePoint>();
  };
  const flow::TimePoint day{date::sys_days{date::year{2027} / 6 / 30}.time_since_epoch()};
  CHECK(at("2027-06-30T12:00") == day + 12h);
  CHECK(at("2027-06-30 12:00Z") == day + 12h);
  CHECK(at("2027-06-30T12:00:00+02") == day + 10h);
  CHECK(at("2027-06-30t12:00:00z") == day + 12h);
  CHECK(at("2027-06-30T12:00:00,5Z") == day + 12h + 500ms);
  CHECK(at("2027-06-30T12:00:00.1234567890Z") == day + 12h + 123ms);
  // Dublin is on IST (UTC+1) in June; an offset in the text wins over the zone.
  CHECK(at("2027-06-30T12:00[Europe/Dublin]") == day + 11h);
  CHECK(at("2027-06-30T12:00:00+02:00[Europe/Dublin]") == day + 10h);
}

TEST_CASE("a [Zone] the tz database does not know is refused by name, masked when secret", "[value]") {
  using flow::ast::FieldType;
  CHECK_THROWS_WITH(flow::coerce_to_field(flow::Value("2027-06-30T12:00[Nowhere/City]"), FieldType::datetime, "At"),
                    "cannot assign text to datetime field 'At': unknown time zone \"Nowhere/City\"");
  CHECK_THROWS_WITH(
      flow::coerce_to_field(flow::Value(std::string("2027-06-30T12:00+01[Nowhere/City]"), true), FieldType::datetime,
                            "At"),
      "cannot assign text to datetime field 'At': unknown time zone ••••");
}

TEST_CASE("shown: text in quotes, its quotes and control characters escaped; a mask is not quoted", "[value]") {
  using namespace flow;
  CHECK(shown(Value(R"(HTTP 401: {"error":"invalid_token"})")) == R"("HTTP 401: {\"error\":\"invalid_token\"}")");
  CHECK(shown(Value("boom\x1b[2J\r\nforged ok")) == R"("boom\x1b[2J\r\nforged ok")");
  CHECK(shown(Value()) == "null");
  CHECK(shown(Value(3600)) == "3600");
  Value whole(std::string("refresh-token-0123456789"), true);
  CHECK(shown(mark_whole_secret(whole)) == "••••6789");
  CHECK(shown(Value(std::string("refresh-token-0123456789"), true), false, SecretMask::whole) == "••••6789");
  CHECK(shown(Value(std::string("refresh-token-0123456789"), true)) == "••••");
  CHECK(shown(Value(std::string("refresh-token-0123456789"), true), true) == "refresh-token-0123456789");
  // An empty secret (`set AccessToken = ""` before a call that failed) is shown
  // empty: a mask would read as a token that is there.
  Value empty(std::string(), true);
  CHECK(shown(mark_whole_secret(empty)) == "");  // as --show-secrets shows it: a secret is never quoted
  CHECK(display(empty) == "");
  CHECK(to_json(empty, false) == Json(""));
  CHECK(shown(Value(List{Value("a\"b"), Value(2)})) == R"(["a\"b", 2])");
  CHECK(shown(Value(Json::parse(R"({"a":"x\u001by"})"))) == R"({"a":"x\u001by"})");
}

TEST_CASE("format_iso: years past 9999 or before 0000 in the expanded form, never wrapped", "[value]") {
  using flow::format_iso;
  using flow::TimePoint;
  using namespace std::chrono_literals;
  using namespace date::literals;
  CHECK(format_iso(date::sys_days(2300_y / 1 / 1) + 0ms) == "2300-01-01T00:00:00Z");
  CHECK(format_iso(date::sys_days(10000_y / 1 / 1) - 1ms) == "9999-12-31T23:59:59.999Z");
  CHECK(format_iso(date::sys_days(10000_y / 1 / 1) + 0ms) == "+10000-01-01T00:00:00Z");
  CHECK(format_iso(date::sys_days(0_y / 1 / 1) + 0ms) == "0000-01-01T00:00:00Z");
  CHECK(format_iso(date::sys_days(0_y / 1 / 1) - 1000ms) == "-0001-12-31T23:59:59Z");
  // The largest time a number gives (2^53 ms): date::year would wrap it to year -31821.
  CHECK(format_iso(TimePoint(flow::Duration(9007199254740992))) == "+287396-10-12T08:59:00.992Z");
  CHECK(format_iso(TimePoint(flow::Duration(-9007199254740992))) == "-283457-03-21T15:00:59.008Z");
}

TEST_CASE("a tainted text shows its last 4 characters only while it is a secret known whole", "[value]") {
  using namespace flow;
  Value token(std::string("WRONG-token-abcdefghijklmnopqrstuvwxyz"), true);
  mark_whole_secret(token);
  CHECK(is_whole_secret(token));
  CHECK(display(token) == "••••wxyz");
  CHECK(to_json(token, false) == Json("••••wxyz"));
  // A copy that kept the mark but not the text (a substring, an upper-cased
  // copy) is derived: its tail would be the middle of the secret.
  Value prefix = token;
  prefix.as<std::string>().resize(16);
  CHECK_FALSE(is_whole_secret(prefix));
  CHECK(display(prefix) == "••••");
  CHECK(to_json(prefix, false) == Json("••••"));
  CHECK(display(prefix, true) == "WRONG-token-abcd");
  Value plain(std::string("WRONG-token-abcdefghijklmnopqrstuvwxyz"));
  CHECK_FALSE(is_whole_secret(mark_whole_secret(plain)));  // not tainted: nothing to mark
}

TEST_CASE("coerce_field_in_place types a value as coerce_to_field does, and keeps it on an error", "[value]") {
  using flow::Value;
  using flow::ast::FieldType;
  const std::vector<Value> values = {Value(), Value("text"), Value("3600"), Value("2026-11-29T10:00:00Z"), Value(42),
                                     Value(true), Value(flow::TimePoint(std::chrono::seconds(1700000000))),
                                     Value(flow::Duration(std::chrono::seconds(90))), Value(std::string("tok-0123456789"), true),
                                     [] {  // a secret field's value as loaded: marked whole
                                       Value whole(std::string("tok-whole-0123456789"), true);
                                       return flow::mark_whole_secret(whole);
                                     }(),
                                     Value(flow::Json::parse(R"({"a":[1,2]})")), Value(flow::Json::parse("[1,2]")),
                                     Value(flow::List{Value(1), Value("b")})};
  for (const auto type : {FieldType::text, FieldType::secret, FieldType::number, FieldType::boolean,
                          FieldType::datetime, FieldType::duration, FieldType::json, FieldType::list}) {
    for (const auto& value : values) {
      INFO(flow::field_type_name(type) << " <- " << flow::shown(value));
      std::optional<Value> expected;
      try {
        expected = flow::coerce_to_field(value, type, "F");
      } catch (const flow::RunError&) {
      }
      Value in_place = value;
      if (expected) {
        flow::coerce_field_in_place(in_place, type, "F");
        CHECK(in_place == *expected);
        CHECK(in_place.secret == expected->secret);
        CHECK(flow::is_whole_secret(in_place) == flow::is_whole_secret(*expected));
      } else {
        CHECK_THROWS_AS(flow::coerce_field_in_place(in_place, type, "F"), flow::RunError);
        CHECK(in_place == value);
        CHECK(in_place.secret == value.secret);
      }
    }
  }
}

namespace {
/// Where a text's or a list's content lives (null for other kinds): unchanged
/// while the value is neither copied nor rebuilt.
const void* content_address(const flow::Value& value) {
  if (value.is<std::string>()) return value.as<std::string>().data();
  if (value.is<flow::List>()) return value.as<flow::List>().data();
  return nullptr;
}
}  // namespace

TEST_CASE("a value the field's type already holds is handed back as it is, its taint as the field asks", "[value]") {
  using flow::Value;
  using flow::ast::FieldType;
  const std::string long_text(64, 'x');  // past the small-string buffer: a copy would move it
  const std::vector<std::pair<FieldType, Value>> held = {
      {FieldType::text, Value(long_text)},
      {FieldType::text, Value(long_text, true)},
      {FieldType::secret, Value(long_text)},
      {FieldType::number, Value(2.5)},
      {FieldType::boolean, Value(false)},
      {FieldType::datetime, Value(flow::TimePoint(std::chrono::seconds(1700000000)))},
      {FieldType::duration, Value(flow::Duration(std::chrono::seconds(90)))},
      {FieldType::json, Value(flow::Json::parse(R"({"a":[1,2]})"))},
      {FieldType::list, Value(flow::List{Value(1), Value(long_text)})},
      {FieldType::number, Value()},
  };
  for (const auto& [type, value] : held) {
    INFO(flow::field_type_name(type) << " <- " << flow::shown(value));
    const bool secret = value.secret || type == FieldType::secret;
    const Value returned = flow::coerce_to_field(value, type, "F");
    CHECK(returned == value);
    CHECK(returned.kind() == value.kind());
    CHECK(returned.secret == secret);
    CHECK(flow::is_whole_secret(returned) == (secret && type == FieldType::secret));
    // In place, the content stays where it is: no copy for a field that loads typed.
    Value in_place = value;
    const void* content = content_address(in_place);
    flow::coerce_field_in_place(in_place, type, "F");
    CHECK(in_place == returned);
    CHECK(content_address(in_place) == content);
  }
  // Not held, so converted: a non-finite number is refused, text spelling a number is read.
  CHECK_THROWS_AS(flow::coerce_to_field(Value(std::numeric_limits<double>::infinity()), FieldType::number, "F"),
                  flow::RunError);
  CHECK(flow::coerce_to_field(Value("3600"), FieldType::number, "F") == Value(3600));
}

TEST_CASE("the whole-secret mark: kept by a copy, dropped by a change in place and by a field not declared secret",
          "[value]") {
  using namespace flow;
  Value token(std::string("WRONG-token-abcdefghijklmnopqrstuvwxyz"), true);
  const Value copy = mark_whole_secret(token);
  CHECK(is_whole_secret(copy));
  CHECK(display(copy) == "••••wxyz");
  // A write through as() changes the text in place, even to the same length.
  Value swapped = copy;
  swapped.as<std::string>()[swapped.as<std::string>().size() - 1] = '!';
  CHECK_FALSE(is_whole_secret(swapped));
  CHECK(display(swapped) == "••••");
  // The value of a field declared secret is the secret whole; a text field
  // given it (or part of it) holds a tainted text, masked alone.
  const std::string text = "refresh-token-0123456789";
  CHECK(is_whole_secret(coerce_to_field(Value(text, true), ast::FieldType::secret, "T")));
  CHECK(is_whole_secret(coerce_to_field(Value(text), ast::FieldType::secret, "T")));
  CHECK_FALSE(is_whole_secret(coerce_to_field(copy, ast::FieldType::text, "Msg")));
  CHECK(display(coerce_to_field(copy, ast::FieldType::text, "Msg")) == "••••");
  // The store keeps the mark, written directly as through Json.
  CHECK(is_whole_secret(from_stored(to_stored(copy))));
  CHECK_FALSE(is_whole_secret(from_stored(to_stored(swapped))));
  CHECK(Json::parse(to_stored_text({{"T", copy}, {"S", swapped}})) ==
        Json{{"T", to_stored(copy)}, {"S", to_stored(swapped)}});
  CHECK(to_stored(copy).at("whole") == true);
  // Untainted, a marked value is no secret.
  Value cleared = copy;
  cleared.secret = false;
  CHECK_FALSE(is_whole_secret(cleared));
}

TEST_CASE("a value a field refuses is named in the error, shortened, never a secret field's", "[value]") {
  using flow::ast::FieldType;
  CHECK_THROWS_WITH(flow::coerce_to_field(flow::Value("soon"), FieldType::number, "ExpiresIn"),
                    "cannot assign text \"soon\" to number field 'ExpiresIn'");
  // An answer's long text: its first 60 characters, not split inside one (é is two bytes).
  const std::string long_text = std::string(58, 'a') + "é" + std::string(100, 'b');
  CHECK_THROWS_WITH(flow::coerce_to_field(flow::Value(long_text), FieldType::number, "N"),
                    "cannot assign text \"" + std::string(58, 'a') + "... to number field 'N'");
  // A secret field's value is not masked until it is assigned: it is left out.
  const flow::Value listed(flow::List{flow::Value("s3cr3t-in-a-list-0001")});
  CHECK_THROWS_WITH(flow::coerce_to_field(listed, FieldType::secret, "Token"), !Catch::Contains("s3cr3t"));
  CHECK_THROWS_WITH(flow::coerce_to_field(listed, FieldType::secret, "Token"),
                    Catch::StartsWith("cannot assign list to secret field 'Token'"));
}
