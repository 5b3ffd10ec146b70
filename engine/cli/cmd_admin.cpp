// `flow instances ...` and `flow tasks ...`: Kianda's Scheduled-tasks admin page
// and saved process instances, as commands over the store.
#include <ostream>

#include "engine/cli/commands.hpp"
#include "engine/cli/session.hpp"
#include "engine/store/sqlite_store.hpp"
#include "engine/task_runner.hpp"

namespace flow::cli {

namespace {

std::vector<std::string> files_of(const Args& args, std::size_t skip) {
  std::vector<std::string> files;
  for (std::size_t i = skip; i < args.positional.size(); ++i)
    if (args.positional[i].ends_with(".flow")) files.push_back(args.positional[i]);
  return files;
}

std::string opt_time(const std::optional<TimePoint>& t) { return t ? format_iso(*t) : "-"; }

int instances_list(Store& store, std::ostream& out) {
  const auto all = store.list_instances();
  if (all.empty()) out << "no instances\n";
  for (const auto& i : all)
    out << i.id << "  " << i.process << "  revision " << i.revision << "  modified " << format_iso(i.modified) << "\n";
  return 0;
}

void print_run_record(std::ostream& out, const RunRecord& run) {
  out << format_iso(run.started) << "  " << (run.ok ? "ok    " : "FAILED") << "  "
      << (run.task.empty() ? "(manual)" : run.task) << "  " << run.process << "." << run.handler << " on "
      << (run.instance_id.empty() ? "(new)" : run.instance_id) << "\n";
  for (const auto& line : run.log) out << "    " << line << "\n";
  if (!run.ok) out << "    " << run.message;
}

TaskState task_or_new(Store& store, const std::string& name) {
  if (auto state = store.load_task(name)) return *state;
  TaskState state;
  state.name = name;
  return state;
}

int tasks_list(Store& store, const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  std::vector<std::string> names;
  if (!files.empty()) {
    const auto loaded = load_checked(files, err);
    if (!loaded) return 1;
    for (const auto* s : loaded->program->schedules()) names.push_back(s->name);
  }
  for (const auto& t : store.list_tasks())
    if (std::find(names.begin(), names.end(), t.name) == names.end()) names.push_back(t.name);
  if (names.empty()) out << "no tasks\n";
  for (const auto& name : names) {
    const auto state = task_or_new(store, name);
    out << name << "  " << (state.deleted ? "deleted" : state.paused ? "paused" : "active") << "  runs "
        << state.run_count << "  last " << opt_time(state.last_run) << "  next " << opt_time(state.next_run) << "\n";
  }
  return 0;
}

int tasks_run(const Args& args, std::ostream& out, std::ostream& err) {
  const auto files = files_of(args, 1);
  if (files.empty() || args.positional.size() != files.size() + 2)
    throw UsageError("usage: flow tasks run FILE... TASK");
  const auto& name = args.positional.back();
  const auto loaded = load_checked(files, err);
  if (!loaded) return 1;
  const auto* schedule = loaded->program->schedule(name);
  if (!schedule || !schedule->process || !schedule->trigger) throw UsageError("no schedule named '" + name + "'");
  const bool reveal = args.flag("show-secrets");
  Runtime runtime(*loaded, db_path(args, files), RunOptions{reveal});
  // The same Process ID the daemon would use for this task.
  const InterpreterTaskRunner runner(runtime.interpreter(), nullptr);
  const auto result = runtime.run_now(
      RunRequest{schedule->process->text, schedule->trigger->text, runner.instance_id(*schedule), name});
  print_run(out, err, result, reveal);
  return result.ok ? 0 : 1;
}

}  // namespace

int cmd_instances(const std::vector<std::string>& raw, std::ostream& out, std::ostream&) {
  const auto args = parse_args(raw, {"db"}, {"show-secrets", "json"});
  if (args.positional.empty()) throw UsageError("usage: flow instances list|show ID [FILE...] [--db PATH]");
  const auto& verb = args.positional[0];
  const auto store = open_sqlite_store(db_path(args, files_of(args, 1)));
  if (verb == "list") return instances_list(*store, out);
  if (verb == "show" && args.positional.size() >= 2) {
    const auto instance = store->load_instance(args.positional[1]);
    if (!instance) {
      out << "no instance with Process ID '" << args.positional[1] << "'\n";
      return 1;
    }
    print_instance(out, *instance, args.flag("show-secrets"));
    return 0;
  }
  throw UsageError("usage: flow instances list|show ID [FILE...] [--db PATH]");
}

int cmd_tasks(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err) {
  const auto args = parse_args(raw, {"db", "limit"}, {"show-secrets"});
  if (args.positional.empty())
    throw UsageError("usage: flow tasks list [FILE...] | history [TASK] | run FILE... TASK | pause|resume|delete TASK"
                     "  [--db PATH]");
  const auto& verb = args.positional[0];
  if (verb == "run") return tasks_run(args, out, err);
  const auto files = files_of(args, 1);
  const auto store = open_sqlite_store(db_path(args, files));
  if (verb == "list") return tasks_list(*store, files, out, err);
  if (verb == "history") {
    const std::string task = args.positional.size() >= 2 && !args.positional[1].ends_with(".flow") ? args.positional[1] : "";
    const int limit = std::stoi(args.option("limit").value_or("20"));
    for (const auto& run : store->runs(task, limit)) print_run_record(out, run);
    return 0;
  }
  if ((verb == "pause" || verb == "resume" || verb == "delete") && args.positional.size() >= 2) {
    auto state = task_or_new(*store, args.positional[1]);
    if (verb == "pause") state.paused = true;
    if (verb == "resume") state.paused = state.deleted = false;
    if (verb == "delete") state.deleted = true;
    store->save_task(state);
    out << state.name << ": " << (state.deleted ? "deleted" : state.paused ? "paused" : "active") << "\n";
    return 0;
  }
  throw UsageError("unknown tasks command '" + verb + "'");
}

}  // namespace flow::cli
