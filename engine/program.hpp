#pragma once
// A Program is every module of a run — the files named on the command line and
// everything they import — with name lookups over all of them.

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/diagnostics.hpp"

namespace flow {

class Program {
 public:
  SourceSet sources;
  std::deque<ast::Module> modules;  // deque: node addresses stay stable while loading

  const ast::DatasourceDecl* datasource(std::string_view name) const;
  const ast::ProcessDecl* process(std::string_view name) const;
  const ast::InstanceDecl* instance(std::string_view id) const;
  const ast::ScheduleDecl* schedule(std::string_view name) const;

  std::vector<const ast::DatasourceDecl*> datasources() const;
  std::vector<const ast::ProcessDecl*> processes() const;
  std::vector<const ast::InstanceDecl*> instances() const;
  std::vector<const ast::ScheduleDecl*> schedules() const;
  std::vector<const ast::TestDecl*> tests() const;

  static const ast::MethodDecl* method(const ast::DatasourceDecl& ds, std::string_view name);
  static const ast::FieldDecl* field(const ast::ProcessDecl& process, std::string_view name);
  /// A button handler (`on NAME`), not a change/load handler.
  static const ast::Handler* handler(const ast::ProcessDecl& process, std::string_view name);
  static const ast::Handler* change_handler(const ast::ProcessDecl& process, std::string_view field);
  static const ast::Handler* load_handler(const ast::ProcessDecl& process);
  static const ast::Setting* setting(const ast::DatasourceDecl& ds, std::string_view name);
  /// Names in declaration order, for "did you mean": the button handlers of
  /// `process`, its fields, the processes.
  static std::vector<std::string> button_names(const ast::ProcessDecl& process);
  static std::vector<std::string> field_names(const ast::ProcessDecl& process);
  std::vector<std::string> process_names() const;
  /// How traces and messages name a handler: `P.Refresh` for a button (as
  /// `flow trigger P.Refresh` takes it), `P: on change Field`, `P: on load`,
  /// so that a change handler is never taken for a button named like its field.
  static std::string handler_label(const ast::ProcessDecl& process, const ast::Handler& handler);

  // The same look-ups for a name written in a rule, at run time: a name that
  // does not resolve throws LocatedError at it (the checker reports these
  // before anything runs; a program run unchecked still fails clearly).
  const ast::DatasourceDecl& require_datasource(const ast::Name& name) const;
  const ast::ProcessDecl& require_process(const ast::Name& name) const;
  static const ast::MethodDecl& require_method(const ast::DatasourceDecl& ds, const ast::Name& name);
  static const ast::Handler& require_handler(const ast::ProcessDecl& process, const ast::Name& name);
};

/// What `path`, written in the source file `file` (its path as loaded), names:
/// a relative path is read from that file's directory (as an `import` is, and
/// the TLS files of a datasource), so a daemon started elsewhere (systemd
/// starts it in /) finds the same files. Absolute paths and "" are as they are.
std::string path_beside(std::string_view file, const std::string& path);

/// Loads and parses `paths` and, transitively, their imports (relative to the
/// importing file). Syntax errors, unreadable files and import cycles are reported
/// to `diagnostics`; the modules that did parse are kept so checking can go on.
/// Excerpts of the files show their secret literals masked (hide_secret_literals).
std::unique_ptr<Program> load_program(const std::vector<std::string>& paths, Diagnostics& diagnostics);

/// Like load_program for text already in memory (tests, the REPL).
std::unique_ptr<Program> load_program_text(const std::string& path, const std::string& text,
                                           Diagnostics& diagnostics);

}  // namespace flow
