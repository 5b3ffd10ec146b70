#pragma once
// `flow repl`: the logic, apart from the terminal. A ReplSession takes input
// lines and writes what the REPL says, so tests drive it line by line; the
// libedit front end (cmd_repl in repl.cpp) only reads lines and prompts.
//
// Input that is not a `:command` is a rule run on the current instance, or an
// expression whose value is printed. Either is parsed as typed, as a file
// `<repl>` of its own (parse_rules / parse_expression), so a diagnostic's line
// and column are the user's. Rules run through the interpreter
// (Interpreter::run_rules) on the in-memory instance, as :click runs a
// handler, so every rule a handler may hold works at the prompt and a preview
// from `:new` works before it is saved.

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/cli/session.hpp"

namespace flow::cli {

struct ReplOptions {
  std::vector<std::string> files;
  std::string db;  // the store file
  bool reveal_secrets = false;
};

class ReplSession {
 public:
  /// Loads `options.files` (diagnostics go to `out`). Throws UsageError for a missing file.
  ReplSession(ReplOptions options, std::ostream& out);
  ~ReplSession();

  /// Feeds one input line. Returns false once the session is over (`:quit`).
  bool feed(const std::string& line);
  /// True while a multi-line input is open (prompt `....> `).
  bool continuing() const { return !pending_.empty(); }
  /// Drops a multi-line input not finished yet (Ctrl-C at the prompt).
  void drop_pending() { pending_.clear(); }
  /// Names for tab completion: commands, processes, fields, handlers, functions, tasks.
  std::vector<std::string> completions(const std::string& prefix) const;
  /// The current instance, if any.
  const std::optional<InstanceRecord>& current() const { return current_; }
  /// Before the session ends: Runtime::write_unwritten_before_exit, on `err`.
  bool write_unwritten_before_exit(std::ostream& err) { return runtime_->write_unwritten_before_exit(err); }

 private:
  bool command(const std::string& line);
  void load(const std::vector<std::string>& files);
  void input(const std::string& text);
  void run_rules(const std::string& text);
  void print_expression(const std::string& text);
  const ast::ProcessDecl& current_process() const;
  /// `:save`: a typed `save;`, so under the instance's lock and refused when
  /// the store holds a newer revision than the copy here.
  void save();
  void show();
  void click(const std::string& handler);
  void open(const std::string& id);
  void new_instance(const std::string& process);
  void tasks();
  void history(const std::string& task);
  void run_task(const std::string& task);
  void after_run(const RunResult& result);
  /// The stored instance `id` (none for an empty id: an unsaved preview).
  std::optional<InstanceRecord> stored(const std::string& id) const;
  /// The current instance after `result`, a run on `before`: as the run left
  /// it when it succeeded; else `before` with only what the run committed.
  void settle(const RunResult& result, InstanceRecord before, const std::optional<InstanceRecord>& stored_before);

  ReplOptions options_;
  std::ostream& out_;
  std::unique_ptr<Loaded> loaded_;
  std::unique_ptr<Runtime> runtime_;
  std::optional<InstanceRecord> current_;
  std::string pending_;
};

/// True when `text` ends inside an open `{` block (braces outside strings and comments).
bool block_open(const std::string& text);

}  // namespace flow::cli
