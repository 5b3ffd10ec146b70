// printable() and quoted_text(): text from outside cannot drive a terminal or
// forge a line of Flow's output.
#include <catch2/catch.hpp>

#include "grammar/printable.hpp"

using flow::Layout;
using flow::printable;
using flow::quoted_text;
using flow::shortened;
using namespace std::literals;

TEST_CASE("printable: C0, DEL and ESC are escaped visibly; the rest is kept") {
  CHECK(printable("\x1b[2J\x1b[31mboom\r\n2026-11-29T10:00:00Z ok\x07") ==
        "\\x1b[2J\\x1b[31mboom\\r\\n2026-11-29T10:00:00Z ok\\x07");
  CHECK(printable("a\tb\x7f" "c\x00" "d"sv, Layout::one_line) == "a\\tb\\x7fc\\x00d");
  CHECK(printable("plain text, caf\xc3\xa9, \xe2\x80\xa2\xe2\x80\xa2 \\ \"") == "plain text, caf\xc3\xa9, \xe2\x80\xa2\xe2\x80\xa2 \\ \"");
}

TEST_CASE("printable: Layout::ours keeps line feeds and tabs, not carriage returns") {
  CHECK(printable("line 1\n\tline 2\r\n\x1b", Layout::ours) == "line 1\n\tline 2\\r\n\\x1b");
}

TEST_CASE("printable: C1 controls and bytes that are not UTF-8 are escaped") {
  CHECK(printable("\xc2\x9b" "31m \xc2\x85 \xc2\xa0") == "\\u009b31m \\u0085 \xc2\xa0");
  CHECK(printable("\x9b" "31m") == "\\x9b31m");                         // a lone 8-bit CSI
  CHECK(printable("\xc3") == "\\xc3");                                   // cut short
  CHECK(printable("\xe0\x82\x9b") == "\\xe0\\x82\\x9b");                 // overlong U+009B
  CHECK(printable("\xf0\x9f\x94\x91 key") == "\xf0\x9f\x94\x91 key");    // 4 bytes, kept
}

TEST_CASE("quoted_text: quotes and backslashes escaped inside the quotes") {
  CHECK(quoted_text(R"(HTTP 401: {"error":"invalid_token"})") == R"("HTTP 401: {\"error\":\"invalid_token\"}")");
  CHECK(quoted_text("C:\\tmp\n") == R"("C:\\tmp\n")");
  CHECK(quoted_text("") == "\"\"");
}

TEST_CASE("shortened: cut at a byte limit, before a UTF-8 character the limit falls in, never inside it") {
  const std::string ascii(199, 'a');
  CHECK(shortened(ascii + "\xe2\x82\xac tail", 200) == ascii + "...");  // the limit falls in the euro sign
  CHECK(shortened(ascii + "\xc3\xa9 tail", 200) == ascii + "...");        // in the e-acute
  CHECK(shortened(ascii + "b\xe2\x82\xac", 200) == ascii + "b...");      // the limit falls before it
  CHECK(shortened("caf\xc3\xa9", 5) == "caf\xc3\xa9");                  // short enough: unchanged
  CHECK(shortened("", 0).empty());
  CHECK(shortened(std::string(10, '\x80'), 6) == std::string(3, '\x80') + "...");  // not UTF-8: cut 3 short at most
}
