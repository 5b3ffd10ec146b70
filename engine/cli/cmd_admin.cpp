// `flow instances ...` and `flow tasks ...`: Kianda's Scheduled-tasks admin page
// and saved process instances, as commands over the store.
#include <algorithm>
#include <filesystem>
#include <limits>
#include <ostream>
#include <stdexcept>

#include "engine/cli/commands.hpp"
#include "engine/cli/session.hpp"
#include "engine/dynamic_time.hpp"
#include "engine/instances.hpp"
#include "engine/store/sqlite_store.hpp"
#include "engine/task_runner.hpp"
#include "grammar/suggest.hpp"
#include "grammar/printable.hpp"

namespace flow::cli {

namespace {

constexpr const char* kInstancesUsage = R"(usage: flow instances list [FILE...] [--db PATH] [--json]
       flow instances show ID [FILE...] [--db PATH] [--show-secrets] [--json]

  list   the saved instances: Process ID, process, revision, last modified
  show   one instance's fields, secrets masked unless --show-secrets
  --json one JSON document instead (list: an array; a damaged instance has
         "damaged": why), as flow trigger --json shows an instance

The store is --db PATH, else flow.db beside the first FILE (or here); one
that does not exist is an error, never created. It is opened read-only and
left as it was (a store of an older schema is migrated by flow store migrate,
or by a command that writes: flow run, flow trigger, flow tasks
run|pause|resume|delete).
)";

constexpr const char* kTasksUsage = R"(usage: flow tasks list [FILE...] [--db PATH]
       flow tasks history [TASK] [FILE...] [--limit N] [--db PATH]
       flow tasks run FILE... TASK [--db PATH] [--show-secrets]
       flow tasks pause|resume|delete TASK [FILE...] [--db PATH]

  list     the tasks of the store and the FILEs' schedules: state, runs, last
           and next run; with the FILEs, why a dynamic task has none yet,
           as in: next - (waiting: ExpiresIn is null)
  history  the newest runs (20, or N), of TASK or of every task
  run      run the task's handler now, as the daemon would; counted in its
           runs and last run (its next run stays as planned)
  pause    the daemon passes over the task's slots until it is resumed
  resume   the daemon runs it again
  delete   the daemon no longer runs it

A TASK is one the store knows or a schedule of the FILEs given; a deleted task
is resumed only with the file that declares it. A name with spaces needs
quotes. The store is --db PATH, else flow.db beside the first FILE (or here);
list and history never create one, and open it read-only.
)";

std::vector<std::string> files_of(const Args& args, std::size_t skip) {
  std::vector<std::string> files;
  for (std::size_t i = skip; i < args.positional.size(); ++i)
    if (args.positional[i].ends_with(".flow")) files.push_back(args.positional[i]);
  return files;
}

/// The store of a command that only reads it, opened read-only: opening a
/// missing file would create an empty store and report it empty, as if the
/// path were right, and a reader must not migrate or otherwise write it.
std::unique_ptr<Store> open_store_to_read(const Args& args, const std::vector<std::string>& files) {
  const auto path = db_path(args, files);
  if (!std::filesystem::exists(path)) throw UserError(no_store_text(path, args, files));
  SqliteOptions options;
  options.read_only = true;
  return open_sqlite_store(path, options);
}

std::string opt_time(const std::optional<TimePoint>& t) { return t ? format_iso(*t) : "-"; }

/// Lists every instance; one whose stored fields are damaged is listed as
/// such (and makes the exit status 1), the others as usual.
int instances_list(Store& store, std::ostream& out, std::ostream& err, bool json) {
  const auto all = store.list_instances();
  int status = 0;
  if (json) {  // the same rows, and the damage of a damaged one, in one array
    Json rows = Json::array();
    for (const auto& i : all) {
      Json row = {{"id", i.id}, {"process", i.process}, {"revision", i.revision}, {"modified", format_iso(i.modified)}};
      if (!i.damage.empty()) {
        row["damaged"] = i.damage;
        status = 1;
      }
      rows.push_back(std::move(row));
    }
    out << dump_json(rows, 2) << "\n";
    return status;
  }
  if (all.empty()) out << "no instances\n";
  for (const auto& i : all) {
    out << printable(i.id) << "  " << i.process << "  revision " << i.revision << "  modified " << format_iso(i.modified);
    out << (i.damage.empty() ? "\n" : "  DAMAGED\n");
    if (i.damage.empty()) continue;
    err << "flow: error: " << i.damage << "\n";
    status = 1;
  }
  return status;
}

/// Types `instance`'s values as the FILEs declare its process's fields now
/// (a field declared `secret` since is masked), when FILEs are given and
/// declare it. False, with the errors on `err`, when the files have errors
/// or a stored value cannot take its field's type.
bool type_as_declared(const std::vector<std::string>& files, InstanceRecord& instance, std::ostream& err) {
  if (files.empty()) return true;
  const auto loaded = load_checked(files, err);
  if (!loaded) return false;
  const auto* process = loaded->program->process(instance.process);
  if (!process) return true;
  try {
    apply_declared_types(*process, instance);
    return true;
  } catch (const LocatedError& e) {
    err << render(loaded->program->sources, Diagnostic{Severity::error, e.range(), e.what()});
    return false;
  }
}

TaskState task_or_new(Store& store, const std::string& name) {
  if (auto state = store.load_task(name)) return *state;
  TaskState state;
  state.name = name;
  return state;
}

std::vector<std::string> schedule_names(const Program& program) {
  std::vector<std::string> names;
  for (const auto* s : program.schedules()) names.push_back(s->name);
  return names;
}

/// The names of the schedules `files` declare (none without files); nullopt
/// when the files have errors, printed to `err`.
std::optional<std::vector<std::string>> declared_tasks(const std::vector<std::string>& files, std::ostream& err) {
  if (files.empty()) return std::vector<std::string>{};
  const auto loaded = load_checked(files, err);
  if (!loaded) return std::nullopt;
  return schedule_names(*loaded->program);
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

/// The files' schedules, then the store's other tasks (`store` may be null: no store yet).
std::vector<std::string> known_tasks(std::vector<std::string> declared, Store* store) {
  if (store)
    for (const auto& t : store->list_tasks())
      if (!contains(declared, t.name)) declared.push_back(t.name);
  return declared;
}

/// "no task named 'X'", with the known task it resembles (a typo, a slip of case), if any.
UserError no_task(const std::string& name, const std::vector<std::string>& known) {
  return UserError("no task named '" + name + "'" + did_you_mean(name, known));
}

/// TASK (when `with_task`) then FILEs, and nothing else: an unquoted name with
/// spaces would otherwise act on its first word.
std::vector<std::string> task_files(const Args& args, bool with_task, const std::string& usage) {
  const std::size_t skip = with_task ? 2 : 1;
  auto files = files_of(args, skip);
  if (args.positional.size() != skip + files.size())
    throw UsageError("usage: " + usage + " (a name with spaces needs quotes)");
  return files;
}

}  // namespace

std::string dynamic_waiting(const Loaded& loaded, Store& store, Clock& clock, const std::string& task) {
  const auto* schedule = loaded.program->schedule(task);
  if (!schedule || !schedule->id) return "";
  const Host host{nullptr, &clock, &store, &loaded.functions, nullptr};
  try {
    // Not seeded: read as a run reads it (declared types, defaults), and nothing is written.
    const auto computed = schedule_time(*loaded.program, host, *schedule, false);
    if (!computed) return "";
    if (computed->not_stored) return "waiting: instance " + printable(*computed->id) + " is not in the store yet";
    const auto& time = computed->time;
    if (time.at) return "its time: " + format_iso(*time.at);
    if (time.error) return "its time cannot be computed: " + printable(time.error->message);
    return "waiting: " + null_fields_text(time.null_fields);
  } catch (const StoreError& e) {
    return std::string("its instance cannot be read: ") + printable(e.what());
  }
}

namespace {

int tasks_list(const Args& args, std::ostream& out, std::ostream& err) {
  const auto files = task_files(args, false, "flow tasks list [FILE...]");
  std::optional<Loaded> loaded;
  if (!files.empty() && !(loaded = load_checked(files, err))) return 1;
  const auto declared = loaded ? schedule_names(*loaded->program) : std::vector<std::string>{};
  const auto store = open_store_to_read(args, files);
  boost::asio::io_context io;  // never run: the clock only tells the time
  SystemClock clock(io.get_executor());
  const auto names = known_tasks(declared, store.get());
  if (names.empty()) out << "no tasks\n";
  for (const auto& name : names) {
    const auto state = task_or_new(*store, name);
    // A task the store knows and the files given do not declare (renamed,
    // removed): a daemon of these files does not run it.
    const bool undeclared = !files.empty() && !contains(declared, name) && !state.deleted;
    const char* status = state.deleted ? "deleted" : undeclared ? "not in these files" : state.paused ? "paused" : "active";
    out << name << "  " << status << "  runs " << state.run_count << "  last " << opt_time(state.last_run)
        << "  next " << (undeclared ? "-" : next_text(state, loaded ? loaded->program->schedule(name) : nullptr));
    // A dynamic task without a next run waits for its time: say why, when the files say how it is computed.
    const bool waits = loaded && !undeclared && !state.deleted && !state.paused && !state.next_run;
    if (const auto why = waits ? dynamic_waiting(*loaded, *store, clock, name) : ""; !why.empty()) out << " (" << why << ")";
    out << "\n";
  }
  return 0;
}

int tasks_history(const Args& args, std::ostream& out, std::ostream& err) {
  const auto limit = args.number("limit", 1, std::numeric_limits<int>::max(), "a number of runs, 1 or more");
  const bool with_task = args.positional.size() >= 2 && !args.positional[1].ends_with(".flow");
  const auto files = task_files(args, with_task, "flow tasks history [TASK] [FILE...] [--limit N]");
  const std::string task = with_task ? args.positional[1] : "";
  const auto store = open_store_to_read(args, files);
  const auto runs = store->runs(task, static_cast<int>(limit.value_or(20)));
  if (runs.empty() && with_task && !store->load_task(task)) {
    const auto declared = declared_tasks(files, err);
    if (!declared) return 1;
    if (!contains(*declared, task)) throw no_task(task, known_tasks(*declared, store.get()));
  }
  if (runs.empty()) out << (with_task ? "no runs of '" + task + "'" : std::string("no runs")) << "\n";
  for (const auto& run : runs) print_run_record(out, run);
  return 0;
}

/// pause, resume or delete a task the store or the files know; the store is
/// created only for a task of the files.
int tasks_change(const std::string& verb, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() < 2) throw UsageError("usage: flow tasks " + verb + " TASK [FILE...]");
  const auto files = task_files(args, true, "flow tasks " + verb + " TASK [FILE...]");
  const auto& name = args.positional[1];
  const auto declared = declared_tasks(files, err);
  if (!declared) return 1;
  const auto db = db_path(args, files);
  const bool in_files = contains(*declared, name);
  if (!in_files && !std::filesystem::exists(db)) throw no_task(name, *declared);  // no store: none is created
  const auto store = open_sqlite_store(db);
  TaskUpdate change;  // on the task as stored then: the runs a daemon counts meanwhile stay counted
  change.name = name;
  if (verb == "pause") change.paused = true;
  if (verb == "resume") change.paused = change.deleted = false;
  if (verb == "delete") change.deleted = true;
  // A task the files do not declare must be stored, and not deleted to be
  // resumed, as stored when changed: in the update's transaction.
  if (!in_files) change.check = [&](const std::optional<TaskState>& stored) {
    if (!stored) throw no_task(name, known_tasks(*declared, store.get()));
    if (verb == "resume" && stored->deleted)
      throw UserError("task '" + name + "' was deleted; resume it with the file that declares it: flow tasks resume '" +
                      name + "' FILE...");
  };
  const auto state = store->update_task(change);
  out << state.name << ": " << (state.deleted ? "deleted" : state.paused ? "paused" : "active") << "\n";
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
  if (!schedule) throw no_task(name, schedule_names(*loaded->program));
  // The checker refuses a schedule without them.
  if (!schedule->process || !schedule->trigger) throw std::logic_error("schedule '" + name + "' has no target");
  const bool reveal = args.flag("show-secrets");
  Runtime runtime(*loaded, db_path(args, files), RunOptions{reveal});
  // The same Process ID the daemon would use for this task.
  const InterpreterTaskRunner runner(runtime.interpreter(), nullptr);
  const auto id = runner.instance_id(*schedule);
  // Quietly, as `flow trigger`: another declared instance that cannot be
  // seeded is no business of this run; its own is left to the run, which fails.
  (void)runtime.seed_instances(id);
  const auto started = runtime.clock().now();
  auto result = runtime.run_now(RunRequest{schedule->process->text, schedule->trigger->text, id, name});
  if (!result.stopped) count_run_by_hand(runtime.store(), name, started, result.ok);  // `tasks list` counts it, as the daemon's
  const bool nothing_lost = runtime.write_unwritten_before_exit(err, result);  // before printing, as flow trigger
  print_run(out, err, result, reveal);
  if (const auto hint = refused_grant_hint(result, files, args.option("db")); !hint.empty()) err << "flow: " << hint << "\n";
  return result.ok && nothing_lost ? 0 : 1;
}

}  // namespace

int cmd_instances(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err) {
  const auto args = parse_args(raw, {"db"}, {"show-secrets", "json", "help"});
  if (args.flag("help") || args.positional.empty()) {
    (args.flag("help") ? out : err) << kInstancesUsage;
    return args.flag("help") ? 0 : 2;
  }
  const auto& verb = args.positional[0];
  if (verb == "show" && args.positional.size() < 2) throw UsageError("usage: flow instances show ID [FILE...]");
  if (verb != "list" && verb != "show")
    throw UsageError("unknown instances command '" + verb + "' (see flow instances --help)");
  const auto files = files_of(args, 1);
  const auto store = open_store_to_read(args, files);
  if (verb == "list") return instances_list(*store, out, err, args.flag("json"));
  auto instance = store->load_instance(args.positional[1]);
  if (!instance) throw UserError("no instance with Process ID '" + args.positional[1] + "'");
  if (!type_as_declared(files, *instance, err)) return 1;
  if (args.flag("json")) out << dump_json(instance_json(*instance, args.flag("show-secrets")), 2) << "\n";
  else print_instance(out, *instance, args.flag("show-secrets"));
  return 0;
}

int cmd_tasks(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err) {
  const auto args = parse_args(raw, {"db", "limit"}, {"show-secrets", "help"});
  if (args.flag("help") || args.positional.empty()) {
    (args.flag("help") ? out : err) << kTasksUsage;
    return args.flag("help") ? 0 : 2;
  }
  const auto& verb = args.positional[0];
  if (verb == "run") return tasks_run(args, out, err);
  if (verb == "list") return tasks_list(args, out, err);
  if (verb == "history") return tasks_history(args, out, err);
  if (verb == "pause" || verb == "resume" || verb == "delete") return tasks_change(verb, args, out, err);
  throw UsageError("unknown tasks command '" + verb + "' (see flow tasks --help)");
}

}  // namespace flow::cli
