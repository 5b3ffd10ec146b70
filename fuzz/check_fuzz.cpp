// `flow check` on arbitrary text: loading, parsing, checking and rendering the
// diagnostics must end in a program or in diagnostics, never in a crash, a
// hang or an exception (an exception here is an internal failure: the checker
// reports user mistakes as diagnostics).
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/checker.hpp"
#include "engine/program.hpp"
#include "grammar/ast_dump.hpp"
#include "stdlib/stdlib.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const flow::FunctionRegistry functions = [] {
    flow::FunctionRegistry registry;
    flow::register_stdlib(registry);
    return registry;
  }();
  const std::string text(reinterpret_cast<const char*>(data), size);
  flow::Diagnostics diagnostics;
  // A directory no file is in: an `import` in the input fails to open.
  const auto program = flow::load_program_text("/nonexistent-fuzz-dir/fuzz.flow", text, diagnostics);
  flow::check_program(*program, functions, diagnostics);  // as `flow check` does, after a syntax error too
  (void)flow::render(program->sources, diagnostics);
  if (!diagnostics.has_errors()) {
    for (const auto& module : program->modules) (void)flow::dump_ast(module);
  }
  return 0;
}
