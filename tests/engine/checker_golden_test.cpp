// Golden tests: each tests/check/NAME.flow is loaded and checked with the real
// standard library, and the whole rendered diagnostics (header, source line,
// caret) must equal tests/check/NAME.expected byte for byte. Paths in the
// expected files are relative to the source tree: the absolute prefix is cut.
//
// The checker's `now` (what a schedule's `expires` is compared with) is fixed at
// 2026-01-01T00:00:00Z, where `flow test` starts its virtual time, so no golden
// changes with the date it is run on.
//
// To bless new output after reading it: FLOW_BLESS=1 ./engine_tests "[checker-golden]"
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/checker.hpp"
#include "stdlib/stdlib.hpp"

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Everything `flow check` would print for `path`, with the source tree prefix cut.
std::string check_file(const fs::path& path) {
  flow::FunctionRegistry functions;
  flow::register_stdlib(functions);
  flow::Diagnostics diagnostics;
  auto program = flow::load_program({path.string()}, diagnostics);
  const auto now = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};
  flow::check_program(*program, functions, diagnostics, flow::TimePoint(now));
  auto text = flow::render(program->sources, diagnostics);
  const std::string prefix = std::string(FLOW_SOURCE_DIR) + "/";
  for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) text.erase(at, prefix.size());
  return text;
}

std::vector<fs::path> golden_cases() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(fs::path(FLOW_SOURCE_DIR) / "tests/check"))
    if (entry.path().extension() == ".flow" && fs::exists(fs::path(entry.path()).replace_extension(".expected")))
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("golden: every tests/check/*.flow renders exactly its .expected", "[checker][checker-golden]") {
  const auto cases = golden_cases();
  REQUIRE(cases.size() >= 40);
  const bool bless = std::getenv("FLOW_BLESS") != nullptr;
  for (const auto& flow_file : cases) {
    const auto expected_file = fs::path(flow_file).replace_extension(".expected");
    const auto actual = check_file(flow_file);
    if (bless) std::ofstream(expected_file, std::ios::binary) << actual;
    INFO("case " << flow_file.filename().string());
    CHECK(actual == read_file(expected_file));
  }
}

TEST_CASE("golden: each malformed case reports at least one error", "[checker][checker-golden]") {
  for (const auto& flow_file : golden_cases()) {
    if (flow_file.filename().string().rfind("warn_", 0) == 0) continue;  // warnings only, by design
    INFO("case " << flow_file.filename().string());
    CHECK(read_file(fs::path(flow_file).replace_extension(".expected")).find(": error: ") != std::string::npos);
  }
}
