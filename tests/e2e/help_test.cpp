// Every option a command's --help lists is in `flow --help`, under that
// command, and in that command's row of docs/language.md's command table; and
// the README's command list has every command: they cannot drift apart again.
#include <regex>
#include <set>

#include "e2e/e2e_support.hpp"

using namespace flow::e2e;

namespace {

std::set<std::string> options_in(const std::string& text) {
  static const std::regex option(R"(--[a-z][a-z-]*)");
  std::set<std::string> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), option); it != std::sregex_iterator(); ++it)
    found.insert(it->str());
  found.erase("--help");
  return found;
}

/// The entry of `command` in `flow --help`: its line and the lines indented under it.
std::string usage_entry(const std::string& usage, const std::string& command) {
  const auto start = usage.find("\n  " + command + " ");
  REQUIRE(start != std::string::npos);
  auto end = usage.find('\n', start + 1);
  while (end != std::string::npos && usage.compare(end + 1, 3, "   ") == 0) end = usage.find('\n', end + 1);
  return usage.substr(start + 1, end - start - 1);
}

/// The row of `command` in docs/language.md's command table.
std::string doc_row(const std::string& doc, const std::string& command) {
  const auto start = doc.find("\n| `flow " + command + " ");
  REQUIRE(start != std::string::npos);
  return doc.substr(start + 1, doc.find('\n', start + 1) - start - 1);
}

}  // namespace

TEST_CASE("every option of a command's --help is in flow --help and in docs/language.md", "[e2e][docs]") {
  const auto top = run_flow({"--help"});
  REQUIRE(top.code == 0);
  const auto doc = read_text(FLOW_SOURCE_DIR "/docs/language.md");
  const auto readme = read_text(FLOW_SOURCE_DIR "/README.md");
  for (const std::string command : {"check", "trigger", "run", "instances", "tasks", "store", "repl", "test"}) {
    const auto help = run_flow({command, "--help"});
    REQUIRE(help.code == 0);
    const auto entry = options_in(usage_entry(top.out, command));
    const auto row = options_in(doc_row(doc, command));
    for (const auto& option : options_in(help.out)) {
      INFO("flow " << command << " " << option);
      CHECK(entry.count(option) == 1);
      CHECK(row.count(option) == 1);
    }
    INFO("the README's command list has flow " << command);
    CHECK(readme.find("\nflow " + command + " ") != std::string::npos);
  }
}
