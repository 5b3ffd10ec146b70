#pragma once
// Interpreter::write_unwritten_before_exit run on an EngineFixture's
// io_context, with what it said and what it reported lost.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>

#include "support/engine_fixture.hpp"

namespace flow::testing {

/// Spawns write_unwritten_before_exit and runs what is ready; `lost` is set when it ends.
struct BeforeExit {
  std::vector<std::string> notes;
  std::optional<std::vector<std::string>> lost;

  BeforeExit(EngineFixture& f, Interpreter& interpreter, std::vector<Duration> pauses) {
    boost::asio::co_spawn(f.io,
                          interpreter.write_unwritten_before_exit(
                              std::move(pauses), [this](const std::string& line) { notes.push_back(line); }),
                          [this](std::exception_ptr e, std::vector<std::string> l) {
                            if (e) std::rethrow_exception(e);
                            lost = std::move(l);
                          });
    f.io.restart();
    f.io.poll();
  }
  /// Whether anything it said holds `text` (a token's value must never be).
  bool says(std::string_view text) const {
    for (const auto& line : notes)
      if (line.find(text) != std::string::npos) return true;
    for (const auto& line : lost.value_or(std::vector<std::string>{}))
      if (line.find(text) != std::string::npos) return true;
    return false;
  }
};

}  // namespace flow::testing
