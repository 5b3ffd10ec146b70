#pragma once
// Helpers shared by the grammar tests: parse a text as "test.flow" and return
// either the AST dump or the rendered diagnostics.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "grammar/ast_dump.hpp"
#include "grammar/parser.hpp"

namespace flow::test {

/// The AST dump of `text`, or its rendered diagnostics if it does not parse.
inline std::string parse_dump(const std::string& text) {
  SourceSet sources;
  const auto file = sources.add("test.flow", text);
  Diagnostics diagnostics;
  const auto module = parse_module(sources, file, diagnostics);
  if (!module) return render(sources, diagnostics);
  return dump_ast(*module);
}

/// The rendered diagnostics of `text` ("" if it parses).
inline std::string parse_errors(const std::string& text) {
  SourceSet sources;
  const auto file = sources.add("test.flow", text);
  Diagnostics diagnostics;
  const auto module = parse_module(sources, file, diagnostics);
  return render(sources, diagnostics);
}

/// The dump of `rules` inside `process P { on H { rules } }`, without the wrapper lines.
inline std::string rules_dump(const std::string& rules) {
  const std::string dump = parse_dump("process P {\n on H {\n" + rules + "\n }\n}\n");
  const auto start = dump.find("    on H @2:2\n");
  if (start == std::string::npos) return dump;
  std::string out;
  std::size_t pos = start + std::string("    on H @2:2\n").size();
  while (pos < dump.size()) {
    const auto end = dump.find('\n', pos);
    out += dump.substr(pos + 6, end - pos - 6) + "\n";  // strip the handler's indent
    pos = end + 1;
  }
  return out;
}

/// The dump of one expression written as `set X = <expr>;` (its value only).
inline std::string expr_dump(const std::string& expr) {
  const std::string dump = rules_dump("set X = " + expr + ";");
  if (dump.rfind("set X", 0) != 0) return dump;
  std::string out;
  std::size_t pos = dump.find('\n') + 1;
  while (pos < dump.size()) {
    const auto end = dump.find('\n', pos);
    out += dump.substr(pos + 2, end - pos - 2) + "\n";
    pos = end + 1;
  }
  return out;
}

/// The golden file tests/grammar/golden/<name>; with FLOW_UPDATE_GOLDEN=1 set, first
/// (re)writes it with `actual` so a reviewed diff is how expectations change.
inline std::string golden(const std::string& name, const std::string& actual) {
  const std::string path = FLOW_SOURCE_DIR "/tests/grammar/golden/" + name;
  if (const char* update = std::getenv("FLOW_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace flow::test
