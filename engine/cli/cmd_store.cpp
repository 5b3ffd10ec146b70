// `flow store migrate`: bring an older store's schema up to this Flow's
// without running anything (the commands that only read never migrate it).
#include <filesystem>
#include <ostream>

#include "engine/cli/commands.hpp"
#include "engine/cli/session.hpp"

namespace flow::cli {

namespace {

constexpr const char* kStoreUsage = R"(usage: flow store migrate [FILE...] [--db PATH]

  migrate  migrate the store's schema to this Flow's version, and nothing
           else: it says from which version to which (the same when there is
           nothing to do); a store written by a newer Flow is refused

The store is --db PATH, else flow.db beside the first FILE (or here); one that
does not exist is an error, never created. The commands that write (flow run,
flow trigger, flow tasks run|pause|resume|delete) migrate it too when they
open it; flow instances and flow tasks list|history never do.
)";

int store_migrate(const Args& args, std::ostream& out) {
  std::vector<std::string> files(args.positional.begin() + 1, args.positional.end());
  for (const auto& file : files)
    if (!file.ends_with(".flow")) throw UsageError("usage: flow store migrate [FILE...] [--db PATH]");
  const auto db = db_path(args, files);
  if (!std::filesystem::exists(db)) throw UserError(no_store_text(db, args, files));
  const auto migration = migrate_sqlite_store(db);
  if (migration.from == migration.to) {
    out << "store " << db << ": schema version " << migration.to << ", this Flow's: nothing to migrate\n";
  } else {
    out << "store " << db << ": schema version " << migration.from << " -> " << migration.to << " (migrated)\n";
  }
  return 0;
}

}  // namespace

int cmd_store(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err) {
  const auto args = parse_args(raw, {"db"}, {"help"});
  if (args.flag("help") || args.positional.empty()) {
    (args.flag("help") ? out : err) << kStoreUsage;
    return args.flag("help") ? 0 : 2;
  }
  if (args.positional[0] == "migrate") return store_migrate(args, out);
  throw UsageError("unknown store command '" + args.positional[0] + "' (see flow store --help)");
}

}  // namespace flow::cli
