#include <ostream>

#include "engine/cli/commands.hpp"
#include "engine/cli/session.hpp"
#include "grammar/ast_dump.hpp"

namespace flow::cli {

int cmd_check(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err) {
  const auto args = parse_args(raw, {}, {"dump-ast", "help"});
  if (args.flag("help")) {
    out << "usage: flow check FILE... [--dump-ast]\n";
    return 0;
  }
  const auto loaded = load_checked(args.positional, err);
  if (!loaded) return 1;
  if (args.flag("dump-ast")) {
    const auto& sources = loaded->program->sources;
    for (const auto& module : loaded->program->modules) out << dump_ast(module, sources.file(module.file).hidden);
  }
  return 0;
}

}  // namespace flow::cli
