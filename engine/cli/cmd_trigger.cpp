#include <ostream>

#include "engine/cli/commands.hpp"
#include "engine/cli/session.hpp"

namespace flow::cli {

int cmd_trigger(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err) {
  const auto args = parse_args(raw, {"id", "db", "durability", "keep-runs"}, {"json", "show-secrets", "help"});
  if (args.flag("help") || args.positional.size() < 2) {
    (args.flag("help") ? out : err) << "usage: flow trigger FILE... PROCESS.HANDLER [--id ID] [--db PATH] [--json]"
                                       " [--show-secrets] [--durability full|relaxed] [--keep-runs N]\n";
    return args.flag("help") ? 0 : 2;
  }
  const std::vector<std::string> files(args.positional.begin(), args.positional.end() - 1);
  const auto [process, handler] = split_target(args.positional.back());
  const auto loaded = load_checked(files, err);
  if (!loaded) return 1;
  require_target(*loaded->program, process, handler);
  const bool reveal = args.flag("show-secrets");
  Runtime runtime(*loaded, db_path(args, files), RunOptions{reveal}, store_options(args));
  // Quietly: another declared instance that cannot be seeded (its env() unset)
  // is no business of this run. Its own is left to the run, whose error says why.
  (void)runtime.seed_instances(args.option("id"));
  auto result = runtime.run_now(RunRequest{process, handler, args.option("id"), ""});
  // Before printing: the instance shown is then the store's once what a failed commit kept is written.
  const bool nothing_lost = runtime.write_unwritten_before_exit(err, result);
  if (args.flag("json")) out << run_json(result, reveal) << "\n";
  else print_run(out, err, result, reveal);
  if (const auto hint = refused_grant_hint(result, files, args.option("db")); !hint.empty()) err << "flow: " << hint << "\n";
  return result.ok && nothing_lost ? 0 : 1;
}

}  // namespace flow::cli
