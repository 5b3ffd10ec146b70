#include "engine/program.hpp"

#include <filesystem>
#include <functional>
#include <stdexcept>

#include "engine/eval.hpp"
#include "engine/secret_literals.hpp"
#include "grammar/parser.hpp"
#include "grammar/suggest.hpp"

namespace flow {

namespace {

template <typename T, typename Get>
std::vector<const T*> collect(const std::deque<ast::Module>& modules, Get get) {
  std::vector<const T*> out;
  for (const auto& m : modules)
    for (const auto& decl : get(m)) out.push_back(&decl);
  return out;
}

template <typename Range, typename Pred>
auto find_in(const Range& range, Pred pred) -> decltype(&*std::begin(range)) {
  for (const auto& item : range)
    if (pred(item)) return &item;
  return nullptr;
}

/// How deep imports may nest: each level is a frame of the loader's recursion.
constexpr std::size_t kMaxImportDepth = 200;

/// Depth-first loader: `stack` holds the canonical paths being loaded, for cycles.
class Loader {
 public:
  Loader(Program& program, Diagnostics& diagnostics) : program_(program), diagnostics_(diagnostics) {}

  void load_file(const std::string& path, const SourceRange* imported_at) {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(path, ec).string();
    if (ec) canonical = path;
    if (in_stack(canonical)) return report_cycle(canonical, *imported_at);
    if (loaded_.count(canonical)) return;
    if (imported_at && stack_.size() > kMaxImportDepth) {  // the loader recurses once per level
      return diagnostics_.error(*imported_at, "imports nest more than " + std::to_string(kMaxImportDepth) +
                                                  " deep (a file importing a file importing ...): import the files "
                                                  "side by side from one file instead");
    }
    std::uint32_t index = 0;
    std::string error;
    if (!program_.sources.load(path, index, error)) {
      if (imported_at) diagnostics_.error(*imported_at, error);
      else diagnostics_.error(SourceRange{~0u, {}, {}}, error);
      return;
    }
    loaded_[canonical] = index;
    parse_and_follow(index, canonical);
  }

  void parse_and_follow(std::uint32_t index, const std::string& canonical) {
    auto module = parse_module(program_.sources, index, diagnostics_);
    if (!module) {
      // No AST to find its secret literals in: its diagnostics' excerpts hide
      // what reads as one (likely_secret_literals).
      program_.sources.hide(index, likely_secret_literals(program_.sources.file(index).text));
      return;
    }
    program_.modules.push_back(std::move(*module));
    // Copy the imports: pushing more modules must not invalidate what we iterate.
    const auto imports = program_.modules.back().imports;
    stack_.push_back(canonical);
    const auto& file = program_.sources.file(index).path;
    for (const auto& import : imports) load_file(path_beside(file, import.path), &import.range);
    stack_.pop_back();
  }

 private:
  bool in_stack(const std::string& canonical) const {
    return std::find(stack_.begin(), stack_.end(), canonical) != stack_.end();
  }
  void report_cycle(const std::string& canonical, const SourceRange& at) {
    std::string chain;
    auto it = std::find(stack_.begin(), stack_.end(), canonical);
    for (; it != stack_.end(); ++it) chain += std::filesystem::path(*it).filename().string() + " -> ";
    chain += std::filesystem::path(canonical).filename().string();
    diagnostics_.error(at, "import cycle: " + chain);
  }

  Program& program_;
  Diagnostics& diagnostics_;
  std::vector<std::string> stack_;
  std::map<std::string, std::uint32_t> loaded_;
};

}  // namespace

std::string path_beside(std::string_view file, const std::string& path) {
  if (path.empty()) return path;
  return (std::filesystem::path(file).parent_path() / path).string();
}

const ast::DatasourceDecl* Program::datasource(std::string_view name) const {
  for (const auto* d : datasources())
    if (d->name.text == name) return d;
  return nullptr;
}
const ast::ProcessDecl* Program::process(std::string_view name) const {
  for (const auto* p : processes())
    if (p->name.text == name) return p;
  return nullptr;
}
const ast::InstanceDecl* Program::instance(std::string_view id) const {
  for (const auto* i : instances())
    if (i->id == id) return i;
  return nullptr;
}
const ast::ScheduleDecl* Program::schedule(std::string_view name) const {
  for (const auto* s : schedules())
    if (s->name == name) return s;
  return nullptr;
}

std::vector<const ast::DatasourceDecl*> Program::datasources() const {
  return collect<ast::DatasourceDecl>(modules, [](const ast::Module& m) -> auto& { return m.datasources; });
}
std::vector<const ast::ProcessDecl*> Program::processes() const {
  return collect<ast::ProcessDecl>(modules, [](const ast::Module& m) -> auto& { return m.processes; });
}
std::vector<const ast::InstanceDecl*> Program::instances() const {
  return collect<ast::InstanceDecl>(modules, [](const ast::Module& m) -> auto& { return m.instances; });
}
std::vector<const ast::ScheduleDecl*> Program::schedules() const {
  return collect<ast::ScheduleDecl>(modules, [](const ast::Module& m) -> auto& { return m.schedules; });
}
std::vector<const ast::TestDecl*> Program::tests() const {
  return collect<ast::TestDecl>(modules, [](const ast::Module& m) -> auto& { return m.tests; });
}

const ast::MethodDecl* Program::method(const ast::DatasourceDecl& ds, std::string_view name) {
  return find_in(ds.methods, [&](const ast::MethodDecl& m) { return m.name.text == name; });
}
const ast::FieldDecl* Program::field(const ast::ProcessDecl& process, std::string_view name) {
  return find_in(process.fields, [&](const ast::FieldDecl& f) { return f.name.text == name; });
}
const ast::Handler* Program::handler(const ast::ProcessDecl& process, std::string_view name) {
  return find_in(process.handlers, [&](const ast::Handler& h) {
    return h.kind == ast::HandlerKind::button && h.name.text == name;
  });
}
std::vector<std::string> Program::button_names(const ast::ProcessDecl& process) {
  std::vector<std::string> names;
  for (const auto& h : process.handlers)
    if (h.kind == ast::HandlerKind::button) names.push_back(h.name.text);
  return names;
}
std::vector<std::string> Program::field_names(const ast::ProcessDecl& process) {
  std::vector<std::string> names;
  for (const auto& f : process.fields) names.push_back(f.name.text);
  return names;
}
std::vector<std::string> Program::process_names() const {
  std::vector<std::string> names;
  for (const auto* p : processes()) names.push_back(p->name.text);
  return names;
}
const ast::Handler* Program::change_handler(const ast::ProcessDecl& process, std::string_view field) {
  return find_in(process.handlers, [&](const ast::Handler& h) {
    return h.kind == ast::HandlerKind::change && h.name.text == field;
  });
}
const ast::Handler* Program::load_handler(const ast::ProcessDecl& process) {
  return find_in(process.handlers, [](const ast::Handler& h) { return h.kind == ast::HandlerKind::load; });
}
std::string Program::handler_label(const ast::ProcessDecl& process, const ast::Handler& handler) {
  switch (handler.kind) {
    case ast::HandlerKind::button: return process.name.text + "." + handler.name.text;
    case ast::HandlerKind::change: return process.name.text + ": on change " + handler.name.text;
    case ast::HandlerKind::load: return process.name.text + ": on load";
  }
  throw std::logic_error("unknown handler kind");
}
const ast::Setting* Program::setting(const ast::DatasourceDecl& ds, std::string_view name) {
  return find_in(ds.settings, [&](const ast::Setting& s) { return s.name.text == name; });
}

const ast::DatasourceDecl& Program::require_datasource(const ast::Name& name) const {
  const auto* found = datasource(name.text);
  if (!found) throw LocatedError(name.range, "unknown datasource '" + name.text + "'");
  return *found;
}

const ast::ProcessDecl& Program::require_process(const ast::Name& name) const {
  const auto* found = process(name.text);
  if (!found) throw LocatedError(name.range, "unknown process '" + name.text + "'");
  return *found;
}

const ast::MethodDecl& Program::require_method(const ast::DatasourceDecl& ds, const ast::Name& name) {
  const auto* found = method(ds, name.text);
  if (!found) throw LocatedError(name.range, "datasource " + ds.name.text + " has no method '" + name.text + "'");
  return *found;
}

const ast::Handler& Program::require_handler(const ast::ProcessDecl& process, const ast::Name& name) {
  const auto* found = handler(process, name.text);
  if (!found) {
    throw LocatedError(name.range, "process " + process.name.text + " has no handler '" + name.text + "'" +
                                       did_you_mean(name.text, button_names(process)));
  }
  return *found;
}

std::unique_ptr<Program> load_program(const std::vector<std::string>& paths, Diagnostics& diagnostics) {
  auto program = std::make_unique<Program>();
  Loader loader(*program, diagnostics);
  for (const auto& path : paths) loader.load_file(path, nullptr);
  hide_secret_literals(*program);
  return program;
}

std::unique_ptr<Program> load_program_text(const std::string& path, const std::string& text,
                                           Diagnostics& diagnostics) {
  auto program = std::make_unique<Program>();
  Loader loader(*program, diagnostics);
  const auto index = program->sources.add(path, text);
  loader.parse_and_follow(index, path);
  hide_secret_literals(*program);
  return program;
}

}  // namespace flow

