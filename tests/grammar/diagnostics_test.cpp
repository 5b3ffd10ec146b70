// render(): the one place diagnostics become text.
#include <catch2/catch.hpp>

#include "grammar/diagnostics.hpp"

using namespace flow;

namespace {

SourceRange at(std::uint32_t file, std::uint32_t line, std::uint32_t column, std::uint32_t offset) {
  return SourceRange{file, {line, column, offset}, {line, column + 1, offset + 1}};
}

}  // namespace

TEST_CASE("render: a message's control characters are escaped; our own lines are kept") {
  SourceSet sources;
  const auto file = sources.add("a.flow", "x;\n");
  const Diagnostic d{Severity::error, at(file, 1, 1, 0), "HTTP 500: \x1b[2Jboom\r\n2026-11-29 forged ok\x07"};
  CHECK(render(sources, d) ==
        "a.flow:1:1: error: HTTP 500: \\x1b[2Jboom\\r\\n2026-11-29 forged ok\\x07\n"
        "  x;\n"
        "  ^\n");
}

TEST_CASE("render: hidden text shows as its mask, and the caret still points at its column") {
  SourceSet sources;
  const std::string line = "set RefreshToken = \"refresh-token-0123456789\" + 1 ;";
  const auto secret_begin = static_cast<std::uint32_t>(line.find('"'));
  const auto secret_end = static_cast<std::uint32_t>(line.find(" + 1"));
  const auto file = sources.add("<repl>", line, {{secret_begin, secret_end, "••••6789"}});
  SECTION("a caret after the hidden part moves with it") {
    const auto plus = static_cast<std::uint32_t>(line.find('+'));
    CHECK(render(sources, Diagnostic{Severity::error, at(file, 1, plus + 1, plus), "here"}) ==
          "<repl>:1:47: error: here\n"
          "  set RefreshToken = ••••6789 + 1 ;\n"
          "                              ^\n");
  }
  SECTION("a caret inside it points at its start") {
    CHECK(render(sources, Diagnostic{Severity::error, at(file, 1, secret_begin + 5, secret_begin + 4), "in"}) ==
          "<repl>:1:24: error: in\n"
          "  set RefreshToken = ••••6789 + 1 ;\n"
          "                     ^\n");
  }
  SECTION("parts hidden after the file was added count as well, in copies of the set too") {
    SourceSet plain;
    const auto other = plain.add("b.flow", line);
    const SourceSet copy = plain;
    plain.hide(other, {{secret_begin, secret_end, "••••6789"}});
    const Diagnostic d{Severity::warning, at(other, 1, secret_begin + 1, secret_begin), "secret"};
    const std::string shown = "b.flow:1:20: warning: secret\n"
                              "  set RefreshToken = ••••6789 + 1 ;\n"
                              "                     ^\n";
    CHECK(render(plain, d) == shown);
    CHECK(render(copy, d) == shown);
  }
}
