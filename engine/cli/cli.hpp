#pragma once
// The command line: `flow check|run|trigger|instances|tasks|store|repl|test`. Exit codes:
// 0 ok, 1 user error (diagnostics, failed run), 2 usage or internal error.

#include <iosfwd>
#include <string>
#include <vector>

namespace flow::cli {

/// Runs the CLI with `args` (without the program name), writing to `out`/`err`.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
/// main(): std::cout/std::cerr, never lets an exception escape. SIGPIPE is
/// ignored (a reader that went away is a failed write, not death) and closed
/// fds 0-2 are /dev/null before anything runs.
int run_cli(int argc, char** argv);

}  // namespace flow::cli
