// `flow repl`: ReplSession (the logic) and cmd_repl (libedit, or plain lines
// from std::cin when stdin is not a terminal).
#include "engine/cli/repl.hpp"

#include <histedit.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cwchar>
#include <iostream>
#include <sstream>

#include "engine/checker.hpp"
#include "engine/cli/commands.hpp"
#include "engine/eval.hpp"
#include "engine/instances.hpp"
#include "engine/secret_literals.hpp"
#include "engine/task_runner.hpp"
#include "grammar/parser.hpp"
#include "grammar/printable.hpp"
#include "grammar/suggest.hpp"
#include "stdlib/stdlib.hpp"

namespace flow::cli {

namespace {

constexpr const char* kHelp = R"(commands:
  :new PROCESS     a preview instance (new, unsaved)
  :open ID         a stored or declared instance
  :show            the current instance's fields
  :click HANDLER   run a handler on the current instance as it is here
  :save            save the current instance (as a typed `save;`: refused when
                   the store has a newer revision, see :open)
  :tasks           the schedules and their state in the store (and why a
                   dynamic task has no next run yet)
  :history TASK    the task's recent runs
  :run TASK        run the task's handler now, counted as the task's run (as
                   flow tasks run does); when it runs on the current instance,
                   that takes what the run saved
  :load FILE       load more files (everything is checked again)
  :help            this text (also help)
  :quit            leave (also quit, exit, end of input: Ctrl-D)
Ctrl-C drops the line being typed (and a rule of several lines not ended).
anything else is a rule run on the current instance (set, clear, log, if,
validate, fail, save, trigger, start, create_item and the other calls) or an
expression whose value is printed.
)";

const std::vector<std::string> kCommands = {":new", ":open", ":show", ":click", ":save", ":tasks",
                                            ":history", ":run", ":load", ":help", ":quit"};
const std::vector<std::string> kRuleWords = {"set", "clear", "log", "if", "validate", "fail", "save",
                                             "trigger", "start", "create_item", "update_item",
                                             "delete_item", "find_item"};

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r\n") + 1 - begin);
}

std::string first_word(const std::string& s) {
  std::size_t end = 0;
  while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_')) ++end;
  return s.substr(0, end);
}

/// An error of the REPL itself (bad command, no current instance): printed, not fatal.
class ReplError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The instance after a failed run that started from `before`: `before` with
/// what the run committed (a save, values a call mapped in), read from the
/// store (`stored_before`, `stored_after`: the record before and after the
/// run). The rest of the run is undone, so a later :save cannot store it.
InstanceRecord keep_committed(InstanceRecord before, const std::optional<InstanceRecord>& stored_before,
                              const std::optional<InstanceRecord>& stored_after) {
  if (!stored_after || (stored_before && stored_before->revision == stored_after->revision)) return before;
  const FieldMap none;
  const FieldMap& old_fields = stored_before ? stored_before->fields : none;
  for (const auto& [name, value] : stored_after->fields) {
    const auto old = old_fields.find(name);
    if (old == old_fields.end() || old->second != value) before.fields[name] = value;
  }
  before.id = stored_after->id;
  before.created = stored_after->created;
  before.modified = stored_after->modified;
  before.revision = stored_after->revision;
  return before;
}

/// After a run refused because the store moved past the REPL's copy: how to
/// read it again.
std::string reload_hint(const RunResult& result) {
  if (!result.stale) return "";
  return "  :open " + result.instance.id + " reads it again (its edits here that are not saved are dropped)\n";
}

}  // namespace

bool block_open(const std::string& text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      i = text.find('\n', i);
      if (i == std::string::npos) break;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      --depth;
    }
  }
  return depth > 0;
}

ReplSession::ReplSession(ReplOptions options, std::ostream& out) : options_(std::move(options)), out_(out) {
  load(options_.files);
}

ReplSession::~ReplSession() = default;

void ReplSession::load(const std::vector<std::string>& files) {
  std::unique_ptr<Loaded> loaded;
  if (files.empty()) {
    loaded = std::make_unique<Loaded>();
    register_stdlib(loaded->functions);
    Diagnostics diagnostics;
    loaded->program = load_program_text("<repl>", "", diagnostics);
  } else {
    auto checked = load_checked(files, out_);
    if (!checked) throw ReplError("not loaded: fix the errors above");
    loaded = std::make_unique<Loaded>(std::move(*checked));
  }
  if (runtime_) runtime_->write_unwritten_before_exit(out_);  // its memory goes with it
  runtime_.reset();
  loaded_ = std::move(loaded);
  runtime_ = std::make_unique<Runtime>(*loaded_, options_.db, RunOptions{options_.reveal_secrets});
  // As the daemon does, saying those it cannot seed: instance("ID") reads them, :new cannot take their IDs.
  for (const auto& error : runtime_->seed_instances()) out_ << error;
  options_.files = files;
  if (current_ && !loaded_->program->process(current_->process)) current_.reset();
}

bool ReplSession::feed(const std::string& line) {
  pending_ += pending_.empty() ? line : "\n" + line;
  if (block_open(pending_)) return true;
  const auto text = trim(pending_);
  pending_.clear();
  if (text.empty()) return true;
  try {
    if (text.front() == ':') return command(text);
    // What a new user types first, when no field of the instance has that name (psql does the same).
    if ((text == "help" || text == "quit" || text == "exit") && !(current_ && current_->fields.contains(text)))
      return command(text == "help" ? ":help" : ":quit");
    input(text);
  } catch (const std::exception& e) {  // ReplError, UsageError, ...: the messages echo what was typed
    out_ << "error: " << printable(e.what()) << "\n";
  }
  return true;
}

bool ReplSession::command(const std::string& line) {
  const auto space = line.find_first_of(" \t");
  const auto name = line.substr(0, space);
  auto arg = space == std::string::npos ? std::string() : trim(line.substr(space));  // task names have spaces
  if (arg.size() >= 2 && arg.front() == '"' && arg.back() == '"') arg = arg.substr(1, arg.size() - 2);  // :run "A task"
  const bool needs_arg = name == ":new" || name == ":open" || name == ":click" || name == ":history" ||
                         name == ":run" || name == ":load";
  if (needs_arg && arg.empty()) throw ReplError(name + " needs an argument (see :help)");
  if (name == ":quit" || name == ":q") return false;
  if (name == ":help") out_ << kHelp;
  else if (name == ":new") new_instance(arg);
  else if (name == ":open") open(arg);
  else if (name == ":show") show();
  else if (name == ":click") click(arg);
  else if (name == ":save") save();
  else if (name == ":tasks") tasks();
  else if (name == ":history") history(arg);
  else if (name == ":run") run_task(arg);
  else if (name == ":load") {
    auto files = options_.files;
    files.push_back(arg);
    load(files);
    out_ << "loaded " << files.size() << " file(s)\n";
  } else throw ReplError("unknown command '" + name + "' (see :help)");
  return true;
}

void ReplSession::show() {
  current_process();
  print_instance(out_, *current_, options_.reveal_secrets);
}

const ast::ProcessDecl& ReplSession::current_process() const {
  if (!current_) throw ReplError("no current instance (:new PROCESS or :open ID)");
  return *loaded_->program->process(current_->process);
}

void ReplSession::new_instance(const std::string& process) {
  const auto* decl = loaded_->program->process(process);
  if (!decl) throw ReplError("no process '" + process + "'" + did_you_mean(process, loaded_->program->process_names()));
  current_ = load_or_create(*loaded_->program, runtime_->store(), *decl, std::nullopt,
                            runtime_->interpreter().host());
  out_ << "new " << process << " (unsaved preview)\n";
}

void ReplSession::open(const std::string& id) {
  std::string process;
  if (auto stored = runtime_->store().load_instance(id)) process = stored->process;
  else if (const auto* declared = loaded_->program->instance(id)) process = declared->process.text;
  else throw ReplError("no instance '" + id + "' in the store or the files");
  const auto* decl = loaded_->program->process(process);
  if (!decl) throw ReplError("instance '" + id + "' is a " + process + ", which no loaded file declares");
  current_ = load_or_create(*loaded_->program, runtime_->store(), *decl, id, runtime_->interpreter().host());
  out_ << "opened " << id << " (" << process << ")\n";
}

void ReplSession::save() { run_rules("save;"); }

std::optional<InstanceRecord> ReplSession::stored(const std::string& id) const {
  if (id.empty()) return std::nullopt;
  return runtime_->store().load_instance(id);
}

void ReplSession::settle(const RunResult& result, InstanceRecord before,
                         const std::optional<InstanceRecord>& stored_before) {
  if (result.ok) current_ = result.instance;
  else current_ = keep_committed(std::move(before), stored_before, stored(result.instance.id));
}

void ReplSession::after_run(const RunResult& result) {
  std::ostringstream err;
  print_run(out_, err, result, options_.reveal_secrets);
  out_ << err.str() << reload_hint(result);
  if (!result.ok) out_ << "run FAILED\n";
}

void ReplSession::click(const std::string& handler) {
  const auto& process = current_process();
  if (!Program::handler(process, handler))
    throw ReplError("process " + current_->process + " has no handler '" + handler + "'" +
                    did_you_mean(handler, Program::button_names(process)));
  // On the instance as it is here, saved or not: as in Kianda's preview, only
  // the handler's own `save` stores it (and gives a new one its Process ID).
  std::optional<std::string> id;
  if (!current_->id.empty()) id = current_->id;
  const auto stored_before = stored(current_->id);
  auto result = runtime_->run_now(RunRequest{current_->process, handler, id, ""}, *current_);
  settle(result, *current_, stored_before);
  result.instance = *current_;  // a failed run shows what it kept
  after_run(result);
}

void ReplSession::tasks() {
  const auto schedules = loaded_->program->schedules();
  if (schedules.empty()) out_ << "no tasks\n";
  for (const auto* s : schedules) {
    const auto state = runtime_->store().load_task(s->name);
    out_ << s->name << "  " << (s->process ? s->process->text : "?") << "." << (s->trigger ? s->trigger->text : "?");
    // A dynamic task without a next run waits for its time: why, as `flow tasks list FILE` says it.
    const bool waits = !state || (!state->deleted && !state->paused && !state->next_run);
    const auto why = waits ? dynamic_waiting(*loaded_, runtime_->store(), runtime_->clock(), s->name) : "";
    const auto because = why.empty() ? std::string() : " (" + why + ")";
    if (!state) {
      out_ << "  never run" << because << "\n";
      continue;
    }
    out_ << "  " << (state->deleted ? "deleted" : state->paused ? "paused" : "active") << "  runs "
         << state->run_count << "  last " << (state->last_run ? format_iso(*state->last_run) : "-") << "  next "
         << next_text(*state, s) << because << "\n";
  }
}

void ReplSession::history(const std::string& task) {
  const auto runs = runtime_->store().runs(task, 20);
  if (runs.empty()) out_ << "no runs of '" << printable(task) << "'\n";
  for (const auto& run : runs) print_run_record(out_, run);
}

void ReplSession::run_task(const std::string& task) {
  const auto* schedule = loaded_->program->schedule(task);
  if (!schedule) throw ReplError("no task '" + task + "'");
  if (!schedule->process || !schedule->trigger) throw ReplError("task '" + task + "' names no PROCESS.HANDLER");
  std::optional<std::string> id;
  if (schedule->id)
    id = to_text(runtime_->interpreter().evaluate_on(*schedule->id, schedule->process->text, std::nullopt));
  const auto stored_before = stored(id.value_or(""));
  const auto started = runtime_->clock().now();
  const auto result = runtime_->run_now(RunRequest{schedule->process->text, schedule->trigger->text, id, task});
  if (!result.stopped) count_run_by_hand(runtime_->store(), task, started, result.ok);  // as `flow tasks run` counts it
  // It ran on the stored instance, not on the copy here: when that is the
  // open one, the copy takes what the run committed, as after a failed
  // :click (its edits not saved stay), so the next input is not refused as
  // stale. A copy the store had moved past before the run stays stale.
  if (current_ && !current_->id.empty() && current_->id == result.instance.id && stored_before &&
      stored_before->revision == current_->revision)
    current_ = keep_committed(*current_, stored_before, stored(current_->id));
  after_run(result);
}

void ReplSession::input(const std::string& text) {
  if (std::find(kRuleWords.begin(), kRuleWords.end(), first_word(text)) != kRuleWords.end()) run_rules(text);
  else print_expression(text);
}

namespace {

/// True when `name` is given a secret in typed rules: a secret field of a
/// process of `program`, or a request part of a method that holds a credential
/// (`body.client_secret`, `header.Basic` sent as Authorization), as
/// hide_secret_literals() tells a file's; or, no process having a field so
/// named, one that misspells_secret_field().
bool names_secret(const Program& program, std::string_view name) {
  const auto processes = program.processes();
  const auto field_of = [name](const ast::ProcessDecl* process) { return Program::field(*process, name); };
  const bool field = std::any_of(processes.begin(), processes.end(), [&](const ast::ProcessDecl* process) {
    const auto* found = field_of(process);
    return found && found->type == ast::FieldType::secret;
  });
  if (field) return true;
  // A name no process has: a typo of a secret field's (`set ClientSecrt = "..."`) is refused with its value shown.
  const bool typo = std::none_of(processes.begin(), processes.end(), field_of) &&
                    std::any_of(processes.begin(), processes.end(), [&](const ast::ProcessDecl* process) {
                      return misspells_secret_field(*process, name);
                    });
  if (typo) return true;
  for (const auto* datasource : program.datasources())
    for (const auto& method : datasource->methods)
      for (const auto& part : method.request)
        if (part.credential && part.name.text == name) return true;
  return false;
}

/// The string literals `text` gives a secret field (`set RefreshToken = "..."`,
/// closed or not) or a credential part in a call's map: an excerpt of the
/// input shows their mask, as it would the value.
std::vector<HiddenText> secret_literals(const Program& program, const std::string& text) {
  return scan_secret_literals(text, [&program](std::string_view name) { return names_secret(program, name); });
}

/// The input as a file of its own, `<repl>`, beside the loaded program's files:
/// a diagnostic points at what was typed, and a failure inside a handler the
/// input triggered points into its file, both rendered from this one set.
struct Input {
  SourceSet sources;
  std::uint32_t file;
  Input(const Program& loaded, const std::string& text)
      : sources(loaded.sources), file(sources.add("<repl>", text, secret_literals(loaded, text))) {}
};

void print_located(std::ostream& out, const SourceSet& sources, const LocatedError& e) {
  Diagnostics diagnostics;
  diagnostics.error(e.range(), e.what());
  out << render(sources, diagnostics);
}

}  // namespace

void ReplSession::print_expression(const std::string& text) {
  const Input input(*loaded_->program, text);
  Diagnostics diagnostics;
  const auto expr = parse_expression(input.sources, input.file, diagnostics);
  if (!expr) {
    out_ << render(input.sources, diagnostics);
    return;
  }
  static const FieldMap no_fields;
  Scope scope{current_ ? &current_->fields : &no_fields, nullptr, &loaded_->functions,
              runtime_->interpreter().host().context(current_ ? current_->id : "")};
  try {
    out_ << shown(evaluate(*expr, scope), options_.reveal_secrets) << "\n";
  } catch (const LocatedError& e) {
    print_located(out_, input.sources, e);
  }
}

namespace {

bool parses_as_rules(const Program& program, const std::string& text) {
  const Input input(program, text);
  Diagnostics ignored;
  return static_cast<bool>(parse_rules(input.sources, input.file, ignored));
}

}  // namespace

void ReplSession::run_rules(const std::string& typed) {
  // As in a block, the last rule needs no ';' (`set X = 1`); an error is still
  // said of what was typed, not of a ';' it did not type.
  const bool close = !typed.ends_with(';') && !parses_as_rules(*loaded_->program, typed) &&
                     parses_as_rules(*loaded_->program, typed + ";");
  const Input input(*loaded_->program, close ? typed + ";" : typed);
  Diagnostics diagnostics;
  auto rules = parse_rules(input.sources, input.file, diagnostics);
  if (!rules) {
    out_ << render(input.sources, diagnostics);
    return;
  }
  current_process();
  const ast::Handler handler{ast::HandlerKind::button, ast::Name{"input", {}}, std::move(*rules), {}};
  const auto stored_before = stored(current_->id);
  const auto result = runtime_->run_rules(LooseRules{&handler, &input.sources}, *current_);
  for (const auto& line : result.log) out_ << "log: " << line << "\n";
  // A failed input keeps only what it committed (a save, or what a call mapped
  // in, which may be a rotated token): a later save cannot write the old
  // values back, and a preview keeps the Process ID the commit gave it.
  settle(result, *current_, stored_before);
  out_ << result.error << reload_hint(result);
}

std::vector<std::string> ReplSession::completions(const std::string& prefix) const {
  std::vector<std::string> names = kCommands;
  names.insert(names.end(), kRuleWords.begin(), kRuleWords.end());
  for (const auto* p : loaded_->program->processes()) {
    names.push_back(p->name.text);
    for (const auto& f : p->fields) names.push_back(f.name.text);
    for (const auto& h : p->handlers) names.push_back(h.name.text);
  }
  for (const auto* s : loaded_->program->schedules()) names.push_back(s->name);
  for (const auto& f : loaded_->functions.names()) names.push_back(f);
  std::vector<std::string> matches;
  for (const auto& n : names)
    if (n.starts_with(prefix) && std::find(matches.begin(), matches.end(), n) == matches.end()) matches.push_back(n);
  std::sort(matches.begin(), matches.end());
  return matches;
}

// ------------------------------------------------------------------ front end

namespace {

ReplSession* g_session = nullptr;  // for the completion callback (libedit has no user pointer per function)
bool g_continuing = false;

const char* prompt(EditLine*) { return g_continuing ? "....> " : "flow> "; }

unsigned char complete(EditLine* el, int) {
  const LineInfo* info = el_line(el);
  const char* start = info->cursor;
  while (start > info->buffer && (std::isalnum(static_cast<unsigned char>(start[-1])) || start[-1] == '_' ||
                                  start[-1] == ':'))
    --start;
  const std::string prefix(start, info->cursor);
  const auto matches = g_session->completions(prefix);
  if (matches.empty()) return CC_ERROR;
  if (matches.size() == 1) {
    el_insertstr(el, (matches.front().substr(prefix.size()) + " ").c_str());
    return CC_REDISPLAY;
  }
  std::string common = matches.front();
  for (const auto& m : matches)
    while (!m.starts_with(common)) common.pop_back();
  if (common.size() > prefix.size()) {
    el_insertstr(el, common.substr(prefix.size()).c_str());
    return CC_REDISPLAY;
  }
  std::fputc('\n', stdout);
  for (const auto& m : matches) std::printf("%s  ", m.c_str());
  std::fputc('\n', stdout);
  return CC_REDISPLAY;
}

/// The signal that came while the prompt waited for input (0: none): SIGINT
/// drops the line being typed; SIGHUP and SIGTERM end the session as the end
/// of input does, so that what it keeps is written first.
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_prompt_signal(int signal) { g_signal = signal; }

/// Catches them for the prompt. Again before each line: a run's signal_set
/// (Runtime::complete) leaves the default action behind when it ends.
void catch_prompt_signals() {
  struct sigaction action {};
  action.sa_handler = on_prompt_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: the read is cut, and read_char returns
  for (const int signal : {SIGINT, SIGHUP, SIGTERM}) ::sigaction(signal, &action, nullptr);
}

/// libedit's own reader retries a read cut by a signal, and so would sit on
/// a Ctrl-C until the next key: this one gives up with -1 (an error to
/// libedit, which then ends the line) once a signal was caught. It waits in
/// poll() a tenth of a second at a time: a signal that came just before a
/// read() began would not cut it.
int read_char(EditLine*, wchar_t* out) {
  std::mbstate_t state{};
  for (;;) {
    if (g_signal != 0) return -1;
    pollfd input{STDIN_FILENO, POLLIN, 0};
    const int ready = ::poll(&input, 1, 100);
    // Nothing typed yet, or a signal: look again. An error shows in read().
    if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
    char byte = 0;
    const ssize_t n = ::read(STDIN_FILENO, &byte, 1);
    if (n == 0) return 0;  // end of input
    if (n < 0) {
      if (errno == EINTR && g_signal == 0) continue;
      return -1;
    }
    wchar_t character = 0;
    const std::size_t used = std::mbrtowc(&character, &byte, 1, &state);
    if (used == static_cast<std::size_t>(-2)) continue;  // a character of several bytes, not whole yet
    if (used == static_cast<std::size_t>(-1)) character = static_cast<unsigned char>(byte);  // not one: as it is
    *out = character;
    return 1;
  }
}

void run_editline(ReplSession& session) {
  EditLine* el = el_init("flow", stdin, stdout, stderr);
  History* hist = history_init();
  HistEvent event;
  history(hist, &event, H_SETSIZE, 500);
  el_set(el, EL_PROMPT, &prompt);
  el_set(el, EL_EDITOR, "emacs");
  el_set(el, EL_HIST, history, hist);
  g_session = &session;
  el_set(el, EL_ADDFN, "flow-complete", "complete a name", &complete);
  el_set(el, EL_BIND, "^I", "flow-complete", nullptr);
  el_set(el, EL_GETCFN, &read_char);
  for (;;) {
    g_continuing = session.continuing();
    g_signal = 0;
    catch_prompt_signals();
    int count = 0;
    const char* line = el_gets(el, &count);
    if (g_signal == SIGINT) {  // what was typed is dropped, and the prompt comes back
      session.drop_pending();
      std::cout << "^C\n" << std::flush;
      continue;
    }
    if (g_signal != 0 || !line) break;
    std::string text(line, static_cast<std::size_t>(count));
    if (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty()) history(hist, &event, H_ENTER, text.c_str());
    const bool more = session.feed(text);
    std::cout.flush();
    if (!more) break;
  }
  std::cout << "\n";
  history_end(hist);
  el_end(el);
  g_session = nullptr;
}

}  // namespace

int cmd_repl(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err) {
  const auto args = parse_args(raw, {"db"}, {"show-secrets", "help"});
  if (args.flag("help")) {
    out << "usage: flow repl [FILE...] [--db PATH] [--show-secrets]\n" << kHelp;
    return 0;
  }
  std::unique_ptr<ReplSession> session;
  try {
    session = std::make_unique<ReplSession>(
        ReplOptions{args.positional, db_path(args, args.positional), args.flag("show-secrets")}, out);
  } catch (const ReplError& e) {
    err << "flow: " << e.what() << "\n";
    return 1;
  }
  const bool terminal = &out == &std::cout && ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
  if (terminal) {
    run_editline(*session);
    return session->write_unwritten_before_exit(err) ? 0 : 1;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!session->feed(line)) break;
    out.flush();
  }
  return session->write_unwritten_before_exit(err) ? 0 : 1;
}

}  // namespace flow::cli
