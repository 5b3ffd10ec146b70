#include "engine/cli/session.hpp"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>

#include "engine/checker.hpp"
#include "engine/instance_locks.hpp"
#include "engine/schedule.hpp"
#include "engine/http/beast_transport.hpp"
#include "engine/store/sqlite_store.hpp"
#include "grammar/printable.hpp"
#include "grammar/unreadable_file.hpp"
#include "stdlib/stdlib.hpp"

namespace flow::cli {

namespace asio = boost::asio;

std::optional<Loaded> load_checked(const std::vector<std::string>& files, std::ostream& err) {
  if (files.empty()) throw UsageError("no .flow file given");
  for (const auto& file : files) {
    if (const auto why = unreadable_file(file); !why.empty()) throw UsageError("cannot open '" + file + "': " + why);
  }
  Loaded loaded;
  register_stdlib(loaded.functions);
  Diagnostics diagnostics;
  loaded.program = load_program(files, diagnostics);
  // The wall clock, read once: a schedule whose `expires` has passed is reported.
  const auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  // The files that parsed are checked even when another did not, so one run
  // reports the checker's findings with the syntax error; what that file might
  // have declared is not reported unknown (check_program sees to it).
  check_program(*loaded.program, loaded.functions, diagnostics, now);
  err << render(loaded.program->sources, diagnostics);
  if (diagnostics.has_errors()) return std::nullopt;
  return loaded;
}

std::string db_path(const Args& args, const std::vector<std::string>& files) {
  if (auto db = args.option("db")) return *db;
  const auto dir = files.empty() ? std::filesystem::path(".") : std::filesystem::path(files.front()).parent_path();
  return (dir / "flow.db").string();
}

std::string no_store_text(const std::string& path, const Args& args, const std::vector<std::string>& files) {
  std::string text = "no store at " + path;
  if (!args.option("db") && files.empty()) {
    text += " (given no FILE and no --db, a command reads flow.db in the current directory; a store is made beside "
            "the first FILE of the command that wrote it, `flow trigger examples/x.flow ...` writes "
            "examples/flow.db: give that FILE or --db PATH)";
  }
  return text;
}

SqliteOptions store_options(const Args& args) {
  SqliteOptions options;
  if (const auto durability = args.option("durability"); durability && *durability != "full") {
    if (*durability != "relaxed") throw UsageError("--durability is full or relaxed, not '" + *durability + "'");
    options.durability = Durability::relaxed;
  }
  if (const auto keep = args.number("keep-runs", 0, std::numeric_limits<std::int64_t>::max(),
                                     "a number of runs per task (0 keeps them all)"))
    options.keep_runs = *keep;
  return options;
}

namespace {

// SIGINT or SIGTERM does not cut a run short: its call may have spent a
// refresh token whose successor only this run can store. The run finishes
// first (its calls have timeouts), as the daemon's do.
constexpr const char* kFinishingRun = "finishing the run in flight first";
// A stop while a run waits for another process's run ends that wait at once.
constexpr const char* kStoppingWait = "ending the wait for another flow process's run";

/// write_unwritten_before_exit's pauses between attempts: about 30 s in all,
/// long enough for a full disk to get room, short enough for a command.
const std::vector<Duration> kExitWritePauses = {std::chrono::seconds(1), std::chrono::seconds(2),
                                                std::chrono::seconds(4), std::chrono::seconds(8),
                                                std::chrono::seconds(15)};

/// What a command says on stderr as its run begins to wait for another flow
/// process's run: it would seem to hang, for up to 120 s.
void say_waiting(const std::string& process, const std::string& id) {
  std::cerr << "flow: waiting: another flow process's run (the daemon's, or another command's) holds " << process
            << " " << printable(id) << "; this run goes on when that one ends ("
            << InstanceLocks::kWaitForOtherProcess.count() << " s at most)\n"
            << std::flush;
}

}  // namespace

Runtime::Runtime(const Loaded& loaded, const std::string& db, RunOptions options, const SqliteOptions& store)
    : clock_(std::make_unique<SystemClock>(io_.get_executor())),
      http_(make_beast_transport(io_.get_executor(), options_from_environment())),
      store_(open_sqlite_store(db, store)) {
  store_->prepare_for_writes();  // a Runtime runs handlers: their first commit pays no set-up
  // Runs of processes since ended (kill -9, an OOM kill, a machine that
  // stopped) whose call was in flight and whose answer was never stored.
  for (const auto& said : store_->record_calls_lost()) std::cerr << "flow: " << printable(said) << "\n" << std::flush;
  Host host{http_.get(), clock_.get(), store_.get(), &loaded.functions};
  interpreter_ = std::make_unique<Interpreter>(*loaded.program, host, options);
}

Runtime::~Runtime() = default;

template <class T>
T Runtime::complete(asio::awaitable<T> work, const char* on_signal_text, std::ostream& err,
                     OnHangup on_hangup) {
  std::optional<T> result;
  std::exception_ptr failure;
  // SIGHUP (the terminal closed, the ssh session dropped) would otherwise kill
  // flow between the call that rotated a token and its commit.
  asio::signal_set signals(io_, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const auto& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP && on_hangup == OnHangup::go_on) {
      err << "flow: signal " << signal << ": the terminal hung up; going on\n" << std::flush;
    } else {
      // A run waiting for another process's run has sent nothing: it stops, and nothing is in flight.
      err << "flow: signal " << signal << ": "
          << (interpreter_->waiting_for_other_process() ? kStoppingWait : on_signal_text) << "\n"
          << std::flush;
      interpreter_->stop_waiting();  // a run still waiting for another process has spent nothing: it stops
    }
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  asio::co_spawn(io_, std::move(work), [&](std::exception_ptr e, T r) {
    failure = e;
    result = std::move(r);
    signals.cancel();
  });
  io_.restart();  // after an earlier run of the io_context (the daemon's) ran out of work
  io_.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

std::vector<std::string> Runtime::seed_instances(const std::optional<std::string>& run_seeds) {
  std::vector<const ast::InstanceDecl*> declarations;
  for (const auto* declaration : interpreter_->program().instances())
    if (declaration->id != run_seeds) declarations.push_back(declaration);
  return interpreter_->seed_instances(declarations);
}

RunResult Runtime::run_now(RunRequest request, std::optional<InstanceRecord> preview) {
  if (!request.on_wait_for_other_process) request.on_wait_for_other_process = say_waiting;
  return complete(interpreter_->run(std::move(request), std::move(preview)), kFinishingRun, std::cerr);
}

RunResult Runtime::run_rules(LooseRules rules, InstanceRecord instance) {
  return complete(interpreter_->run_rules(rules, std::move(instance), say_waiting), kFinishingRun, std::cerr);
}

bool Runtime::write_unwritten_before_exit(std::ostream& err) {
  auto note = [&err](const std::string& line) { err << "flow: " << line << "\n" << std::flush; };
  const auto lost = complete(interpreter_->write_unwritten_before_exit(kExitWritePauses, note), "giving up writing", err,
                             OnHangup::go_on);
  for (const auto& line : lost) err << "flow: error: " << line << "\n";
  return lost.empty();
}

bool Runtime::write_unwritten_before_exit(std::ostream& err, RunResult& shown) {
  const auto& instance = shown.instance;
  const bool kept = !instance.id.empty() && interpreter_->keeps_unwritten(instance.id);
  const bool nothing_lost = write_unwritten_before_exit(err);
  if (kept) shown.stored = interpreter_->stored_instance(instance.process, instance.id);
  return nothing_lost;
}

void print_instance(std::ostream& out, const InstanceRecord& instance, bool reveal) {
  out << (instance.id.empty() ? std::string("(unsaved)") : printable(instance.id)) << " (" << instance.process << ")";
  if (instance.revision > 0) out << " revision " << instance.revision << ", modified " << format_iso(instance.modified);
  out << "\n";
  std::size_t width = 0;
  for (const auto& [name, value] : instance.fields) width = std::max(width, name.size());
  for (const auto& [name, value] : instance.fields) {
    out << "  " << name << std::string(width - name.size(), ' ') << " = " << shown(value, reveal) << "\n";
  }
}

std::string shell_word(const std::string& text) {
  const auto plain = [](unsigned char c) { return std::isalnum(c) || std::string_view("_-./:=@,+%").find(c) != std::string_view::npos; };
  if (!text.empty() && std::all_of(text.begin(), text.end(), plain)) return text;
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shell_files(const std::vector<std::string>& files) {
  std::string words;
  for (const auto& file : files) words += shell_word(file) + " ";
  return words;
}

std::string refused_grant_hint(const RunResult& result, const std::vector<std::string>& files,
                               const std::optional<std::string>& db) {
  if (!result.refused || result.refused->error != "invalid_grant") return "";
  const auto& field = result.refused->token_field.empty() ? std::string("FIELD") : result.refused->token_field;
  const std::string id = result.instance.id.empty() ? "ID" : shell_word(result.instance.id);
  return "the provider refused the refresh token (invalid_grant): no retry can mend that; a person must put in a "
         "new one: flow repl " + shell_files(files) + (db ? "--db " + shell_word(*db) + " " : "") + "then :open " +
         id + ", set " + field + " = \"...\", :save";
}

std::string next_text(const TaskState& state, const ast::ScheduleDecl* declared) {
  const auto next = state.next_time();
  if (!next) return "-";
  const bool dynamic = declared && declared->when && std::holds_alternative<ast::DynamicWhen>(declared->when->node);
  if (!state.retry && dynamic && state.anchor)  // the time the one-minute gap moved it from (NextSlot::anchor)
    return format_iso(*next) + " (moved from " + format_iso(*state.anchor) + ": " + kOneRunAMinute + ")";
  if (!state.retry) return format_iso(*next);
  const int of = declared && declared->retry ? declared->retry->times : 0;
  return format_iso(*next) + " (retry " + std::to_string(state.retry->number) +
         (of >= state.retry->number ? " of " + std::to_string(of) : "") + ")";
}

// Written visibly again (printable()): a store written before Flow did so at
// the source may hold a server's bytes raw.
void print_run_record(std::ostream& out, const RunRecord& run) {
  out << format_iso(run.started) << "  " << (run.ok ? "ok    " : "FAILED") << "  "
      << (run.task.empty() ? "(manual)" : run.task) << "  " << run.process << "." << run.handler << " on "
      << (run.instance_id.empty() ? "(new)" : printable(run.instance_id)) << "\n";
  for (const auto& line : run.log) out << "    " << printable(line) << "\n";
  if (!run.ok) out << "    " << printable(run.message, Layout::ours);
}

namespace {

/// A run that failed before it had an instance (an unknown Process ID, an
/// env() a new one needs) has none to show.
bool has_instance(const RunResult& result) { return result.loaded; }

/// The instance a run's output shows, so that values the run did not save
/// are never shown as a stored revision's: the store's copy once the run
/// ended; for a new instance nothing saved, the run's own (no Process ID, no
/// revision); nullopt when the store could not say what it holds.
std::optional<InstanceRecord> shown_instance(const RunResult& result) {
  if (result.stored || !result.instance.id.empty()) return result.stored;
  InstanceRecord unsaved = result.instance;
  unsaved.revision = 0;
  return unsaved;
}

/// The run's values that `shown` does not hold (set, but not saved): all of
/// them when nothing is shown, none when `shown` is the run's own.
FieldMap unsaved_fields(const RunResult& result, const std::optional<InstanceRecord>& shown) {
  if (!shown) return result.instance.fields;
  FieldMap unsaved;
  if (!result.stored) return unsaved;
  for (const auto& [name, value] : result.instance.fields) {
    const auto stored = shown->fields.find(name);
    if (stored == shown->fields.end() || stored->second != value) unsaved.emplace(name, value);
  }
  return unsaved;
}

}  // namespace

void print_run(std::ostream& out, std::ostream& err, const RunResult& result, bool reveal) {
  for (const auto& line : result.log) out << "log: " << line << "\n";
  if (has_instance(result)) {
    const auto stored = shown_instance(result);
    if (stored) print_instance(out, *stored, reveal);
    const auto unsaved = unsaved_fields(result, stored);
    if (!unsaved.empty()) out << "not saved:\n";
    for (const auto& [name, value] : unsaved) out << "  " << name << " = " << shown(value, reveal) << "\n";
  }
  if (!result.ok) err << result.error;
}

namespace {

Json fields_json(const FieldMap& values, bool reveal) {
  Json fields = Json::object();
  for (const auto& [name, value] : values) fields[name] = to_json(value, reveal);
  return fields;
}

}  // namespace

Json instance_json(const InstanceRecord& instance, bool reveal) {
  Json json = {{"id", instance.id},
               {"process", instance.process},
               {"revision", instance.revision},
               {"fields", fields_json(instance.fields, reveal)}};
  if (instance.revision > 0) json["modified"] = format_iso(instance.modified);  // as print_instance: a stored one
  return json;
}

std::string run_json(const RunResult& result, bool reveal) {
  Json instance = nullptr;
  Json unsaved = Json::object();
  if (has_instance(result)) {
    const auto shown = shown_instance(result);
    if (shown) instance = instance_json(*shown, reveal);
    unsaved = fields_json(unsaved_fields(result, shown), reveal);
  }
  Json doc = {{"ok", result.ok},
              {"saved", result.saved},
              {"log", result.log},
              {"instance", instance},
              {"unsaved", unsaved}};
  if (!result.ok) doc["error"] = result.error;
  return dump_json(doc, 2);
}

std::pair<std::string, std::string> split_target(const std::string& target) {
  const auto dot = target.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == target.size())
    throw UsageError("expected PROCESS.HANDLER, got '" + target + "'");
  return {target.substr(0, dot), target.substr(dot + 1)};
}

void require_target(const Program& program, const std::string& process, const std::string& handler) {
  const auto* decl = program.process(process);
  if (decl && Program::handler(*decl, handler)) return;
  std::string handlers;
  for (const auto* p : program.processes()) {
    if (decl && p != decl) continue;
    for (const auto& h : p->handlers) {
      if (h.kind != ast::HandlerKind::button) continue;
      handlers += (handlers.empty() ? "" : ", ") + p->name.text + "." + h.name.text;
    }
  }
  const std::string what = decl ? "process " + process + " has no handler '" + handler + "'"
                                : "no process '" + process + "' in the files";
  throw UsageError(what + (handlers.empty() ? "; they declare no handlers" : "; handlers: " + handlers));
}

}  // namespace flow::cli
