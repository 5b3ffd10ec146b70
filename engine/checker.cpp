// The checker's entry point and its declaration-level checks: datasources and
// their methods, processes and their fields and handlers, instances.
#include "engine/checker.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "engine/check_context.hpp"
#include "engine/json_path.hpp"
#include "engine/rest_call.hpp"
#include "engine/secret_literals.hpp"
#include "engine/url_parts.hpp"
#include "grammar/unreadable_file.hpp"

namespace flow {

namespace check {

namespace {

const SettingSpec* setting_spec(std::string_view name) {
  for (const auto& spec : kDatasourceSettings)
    if (spec.name == name) return &spec;
  return nullptr;
}

bool names_tls_file(std::string_view setting) {
  return setting == settings::ca_file || setting == settings::client_cert || setting == settings::client_key;
}

template <typename Decl>
std::vector<std::string> names_of_pointers(const std::vector<const Decl*>& decls) {
  std::vector<std::string> out;
  for (const auto* decl : decls) out.push_back(decl->name.text);
  return out;
}

/// Why json body parts `first` (declared at `line`) and `second` cannot both
/// be sent, or "". Parts are set in the order declared: the later one writes
/// over the earlier, or cannot walk into an earlier value that is not an object.
std::string overlap_message(const ast::RequestPart& first, const ast::RequestPart& second, const std::string& line) {
  const auto first_path = first.wire_name.value_or(first.name.text);
  const auto path = second.wire_name.value_or(second.name.text);
  const bool inside = json_path_within(first_path, path), holds = json_path_within(path, first_path);
  const auto& name = second.name.text;
  const auto& other = first.name.text;
  const auto sent = "request body part '" + name + "' is sent at \"" + path + "\", ";
  if (inside && holds) return sent + "as part '" + other + "' is (" + line + "): a run that maps both sends '" + name + "' only";
  if (inside) {
    return sent + "inside part '" + other + "' (\"" + first_path + "\", " + line +
           "): a run that maps both fails unless '" + other + "' is an object (or null)";
  }
  if (holds) {
    return sent + "which holds part '" + other + "' (\"" + first_path + "\", " + line + "): a run that maps both sends '" +
           name + "' and loses '" + other + "'";
  }
  return "";
}

}  // namespace

std::vector<std::string> path_params(const ast::MethodDecl& method) {
  std::vector<std::string> out;
  for (const auto& piece : method.path_template.pieces) {
    if (piece.parameter) out.push_back(piece.text);
  }
  return out;
}

const char* part_kind_name(ast::PartKind kind) {
  switch (kind) {
    case ast::PartKind::header: return "request header";
    case ast::PartKind::query: return "request query";
    case ast::PartKind::body: return "request body";
    case ast::PartKind::path: return "path parameter";
  }
  return "request part";
}

std::string part_label(const ast::RequestPart& part) {
  return std::string(part_kind_name(part.kind)) + " '" + (part.wire_name ? *part.wire_name : part.name.text) + "'";
}

// ---------------------------------------------------------------- lookups

Checker::Checker(const Program& program, const FunctionRegistry& functions, Diagnostics& diagnostics,
                 std::optional<TimePoint> now, bool complete)
    : program_(program), functions_(functions), diagnostics_(diagnostics), now_(now), complete_(complete) {
  // emplace keeps the first of duplicates, as Program's lookups do.
  for (const auto* d : program_.datasources()) datasources_.emplace(d->name.text, d);
  for (const auto* p : program_.processes()) processes_.emplace(p->name.text, p);
  for (const auto* i : program_.instances()) instances_.emplace(i->id, i);
}

namespace {
template <typename Map>
auto find_in(const Map& map, std::string_view key) -> typename Map::mapped_type {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}
}  // namespace

const ast::DatasourceDecl* Checker::datasource(std::string_view name) const { return find_in(datasources_, name); }
const ast::ProcessDecl* Checker::process(std::string_view name) const { return find_in(processes_, name); }
const ast::InstanceDecl* Checker::instance(std::string_view id) const {
  if (test_) {
    for (const auto& declared : test_->instances)
      if (declared.id == id) return &declared;
  }
  return find_in(instances_, id);
}

const ast::ProcessDecl* Checker::find_process(const ast::Name& name) {
  if (const auto* process = this->process(name.text)) return process;
  if (complete_) report_unknown(name.range, "process", name.text, names_of_pointers(program_.processes()));
  return nullptr;
}

const ast::FieldDecl* Checker::find_field(const ast::ProcessDecl& process, const ast::Name& name) {
  if (const auto* field = Program::field(process, name.text)) return field;
  report_unknown(name.range, "field", name.text, names_of(process.fields), "process " + process.name.text);
  return nullptr;
}

const ast::MethodDecl* Checker::find_method(const ast::Name& datasource_name, const ast::Name& method_name,
                                            const ast::DatasourceDecl*& datasource) {
  datasource = this->datasource(datasource_name.text);
  if (!datasource) {
    if (complete_)
      report_unknown(datasource_name.range, "datasource", datasource_name.text,
                     names_of_pointers(program_.datasources()));
    return nullptr;
  }
  if (const auto* method = Program::method(*datasource, method_name.text)) return method;
  report_unknown(method_name.range, "method", method_name.text, names_of(datasource->methods),
                 "datasource " + datasource->name.text);
  return nullptr;
}

const ast::Handler* Checker::find_handler(const ast::ProcessDecl& process, const ast::Name& name) {
  if (const auto* handler = Program::handler(process, name.text)) return handler;
  std::string message = "unknown handler '" + name.text + "' in process " + process.name.text;
  if (Program::field(process, name.text))
    message += " ('" + name.text + "' is a field; only `on NAME` handlers can be triggered)";
  else if (name.text == "load" && Program::load_handler(process))
    message += " (`on load` runs by itself when an instance is opened)";
  else
    message += did_you_mean(name.text, Program::button_names(process));
  diagnostics_.error(name.range, message);
  return nullptr;
}

void Checker::check_instance_id(const ast::Expr& id, const StaticType& type, const ast::ProcessDecl* process) {
  const auto text = constant_text(type);
  if (!text) return;
  const auto* declared = instance(*text);
  if (!declared && !complete_) return;
  if (!declared) {
    std::vector<std::string> ids;
    for (const auto* instance : program_.instances()) ids.push_back(instance->id);
    diagnostics_.warning(id.range, "no instance '" + *text + "' is declared; it must be in the store when this runs" +
                                       did_you_mean(*text, ids));
  } else if (process && declared->process.text != process->name.text) {
    diagnostics_.error(id.range, "instance '" + *text + "' is a " + declared->process.text + ", not a " +
                                     process->name.text);
  }
}

// ------------------------------------------------------------ datasources

void Checker::check_settings(const ast::DatasourceDecl& datasource) {
  std::vector<Named> names;
  std::vector<std::string> known;
  for (const auto& spec : kDatasourceSettings) known.emplace_back(spec.name);
  for (const auto& setting : datasource.settings) {
    names.push_back({setting.name.text, setting.name.range});
    const auto type = expr(setting.value, ExprScope{});
    const auto* spec = setting_spec(setting.name.text);
    if (!spec) {
      report_unknown(setting.name.range, "setting", setting.name.text, known, "datasource " + datasource.name.text);
      continue;
    }
    if (spec->kind) check_kind(setting.value, type, *spec->kind, setting.name.text);
    check_setting_value(datasource, setting, type);
  }
  report_duplicates(names, "setting");
  if (!Program::setting(datasource, settings::base_url))
    diagnostics_.error(datasource.name.range, "datasource " + datasource.name.text + " has no base_url");
  check_client_certificate(datasource);
}

void Checker::check_setting_value(const ast::DatasourceDecl& datasource, const ast::Setting& setting,
                                  const StaticType& type) {
  const std::string_view name = setting.name.text;
  const bool off = type.constant && type.constant->is<bool>() && !type.constant->as<bool>();
  if (name == settings::insecure_skip_verify && !off) {
    diagnostics_.warning(setting.name.range, "insecure_skip_verify turns off TLS certificate checks for " +
                                                 datasource.name.text + ": anyone on the network can read its secrets");
  }
  const auto text = constant_text(type);
  if (text && name == settings::base_url) check_base_url(datasource, *text, setting.value.range, {});
  const auto* call = std::get_if<ast::Call>(&setting.value.node);
  const auto read = call ? env_reads_.find(call) : env_reads_.end();
  if (name == settings::base_url && read != env_reads_.end() && read->second.fallback) {
    // What every call is sent to while the variable is unset: as a literal.
    const auto variable = read->second.name ? *read->second.name : std::string("its variable");
    check_base_url(datasource, *read->second.fallback, call->args[1].range, ", when " + variable + " is unset,");
  }
  const bool negative = type.constant && type.constant->is<double>() && type.constant->as<double>() < 0;
  if (name == settings::retries && negative) {
    diagnostics_.error(setting.value.range, "retries must not be negative: it counts the attempts after the "
                                            "first (0 for none)");
  }
  if (text && !text->empty() && names_tls_file(name)) check_tls_file(setting, *text);
}

void Checker::check_base_url(const ast::DatasourceDecl& datasource, const std::string& url, SourceRange at,
                             const std::string& when) {
  const auto subject = "base_url of " + datasource.name.text + when;
  // Every call would fail with invalid_url; the transport asks the same question.
  if (const auto problem = url_scheme_problem(url)) {
    diagnostics_.error(at, subject + " is not an http or https URL: " + *problem);
  } else {
    const std::string_view host_port = split_url(url).host_port;
    if (host_port.empty() || host_port.front() == ':')  // none after the scheme, or a port alone
      diagnostics_.error(at, subject + " has no host after its scheme: every call would fail with invalid_url");
  }
  if (url.find('#') != std::string::npos) {
    diagnostics_.warning(at, subject + " has a fragment (from '#'), which is never sent: calls go to the URL "
                                       "before it");
  }
}

void Checker::check_tls_file(const ast::Setting& setting, const std::string& written) {
  // Read where a call reads it: beside the file that declares the datasource.
  const auto path = path_beside(program_.sources.file(setting.value.range.file).path, written);
  const auto why = unreadable_file(path);  // every call would fail to load it
  if (why.empty()) return;
  const bool relative = std::filesystem::path(written).is_relative();
  diagnostics_.error(setting.value.range, "cannot read " + std::string(setting.name.text) + " '" + path + "': " + why +
                                              (relative ? " (a relative path is read from the directory of the "
                                                          ".flow file)"
                                                        : ""));
}

void Checker::check_client_certificate(const ast::DatasourceDecl& datasource) {
  // The certificate and the key are loaded from the file each names, and only
  // from it: one alone sends no client certificate. A file holding both is
  // named by both settings.
  const auto* cert = Program::setting(datasource, settings::client_cert);
  const auto* key = Program::setting(datasource, settings::client_key);
  if (cert && !key) {
    diagnostics_.error(cert->name.range, "client_cert without client_key: the private key is read from client_key "
                                         "only (name the same file in both when it holds both)");
  }
  if (key && !cert) {
    diagnostics_.error(key->name.range, "client_key without client_cert: the certificate is read from client_cert "
                                        "only (name the same file in both when it holds both)");
  }
}

void Checker::check_method(const ast::MethodDecl& method) {
  std::vector<Named> request[4];
  for (const auto& part : method.request) {
    request[static_cast<int>(part.kind)].push_back({part.name.text, part.name.range});
    if (!part.default_value) continue;
    const auto type = expr(*part.default_value, ExprScope{});
    if (part.credential) warn_literal_credential(part_label(part), *part.default_value, type);
  }
  for (const auto kind : {ast::PartKind::header, ast::PartKind::query, ast::PartKind::body, ast::PartKind::path})
    report_duplicates(request[static_cast<int>(kind)], part_kind_name(kind));
  std::vector<Named> response_headers, response_body;
  for (const auto& part : method.response)
    (part.is_header ? response_headers : response_body).push_back({part.name.text, part.name.range});
  report_duplicates(response_headers, "response header");
  report_duplicates(response_body, "response body");
  if (!method.path_template.problem.empty()) diagnostics_.error(method.path_range, method.path_template.problem);
  const auto params = path_params(method);
  std::vector<Named> path_names;
  for (const auto& param : params) path_names.push_back({param, method.path_range});
  report_duplicates(path_names, "path parameter");
  if (method.request_format == ast::BodyFormat::json) check_json_body_paths(method);
}

void Checker::check_json_body_paths(const ast::MethodDecl& method) {
  std::vector<const ast::RequestPart*> earlier;
  for (const auto& part : method.request) {
    if (part.kind != ast::PartKind::body) continue;
    // The same name twice is reported as a duplicate part, and only so.
    const auto same_name = [&](const ast::RequestPart* first) { return first->name.text == part.name.text; };
    if (std::any_of(earlier.begin(), earlier.end(), same_name)) continue;
    for (const auto* first : earlier) {
      const auto message = overlap_message(*first, part, line_of(first->name.range, part.name.range));
      if (message.empty()) continue;
      diagnostics_.error(part.name.range, message);
      break;
    }
    earlier.push_back(&part);
  }
}

void Checker::check_datasource(const ast::DatasourceDecl& datasource) {
  check_settings(datasource);
  for (const auto& header : datasource.headers) {
    const auto type = expr(header.value, ExprScope{});
    if (header.credential)
      warn_literal_credential("header '" + header.header + "'", header.value, type);
  }
  std::vector<Named> methods;
  for (const auto& method : datasource.methods) {
    methods.push_back({method.name.text, method.name.range});
    check_method(method);
  }
  report_duplicates(methods, "method");
}

// -------------------------------------------------------------- processes

namespace {

/// The first literal inside `value` (not the whole of it) that reads as a
/// credential written into the source (`"Basic ${base64("id:secret")}"`,
/// `trim("...")`), or nullptr. Not env()'s default: env() is the way out of the source.
const ast::Expr* credential_inside(const ast::Expr& value) {
  for (const auto& literal : carried_literals(value, false))
    if (literal.expr != &value && !literal.env_default && reads_as_credential(literal, value)) return literal.expr;
  return nullptr;
}

}  // namespace

void Checker::warn_literal_secret(const ast::FieldDecl& field, const ast::Expr& value, const StaticType& type) {
  if (field.type != ast::FieldType::secret) return;
  const auto text = constant_text(type);
  const auto* literal = text ? (text->empty() ? nullptr : &value) : credential_inside(value);
  if (!literal) return;
  // Its excerpt shows the literal's mask: load_program hid every secret literal.
  diagnostics_.warning(literal->range, "secret field '" + field.name.text + "' is given a literal value; read it with " +
                                           "env(...) to keep it out of the source");
}

void Checker::warn_literal_credential(const std::string& what, const ast::Expr& value, const StaticType& type) {
  const auto text = constant_text(type);
  // A whole text shorter than a credential plausibly is: a placeholder such as "none".
  const auto* literal = text ? (text->size() < kShortestCredential ? nullptr : &value) : credential_inside(value);
  if (!literal) return;
  // Its excerpt shows the literal's mask: load_program hid it as a secret literal.
  diagnostics_.warning(literal->range, what + " is given a literal credential; read it with env(...) or from a " +
                                           "secret field to keep it out of the source");
}

void Checker::check_handlers(const ast::ProcessDecl& process) {
  std::vector<Named> buttons, changes, loads;
  for (const auto& handler : process.handlers) {
    switch (handler.kind) {
      case ast::HandlerKind::button:
        buttons.push_back({handler.name.text, handler.name.range});
        if (Program::field(process, handler.name.text)) {
          diagnostics_.warning(handler.name.range, "handler '" + handler.name.text + "' has the same name as a field");
        }
        break;
      case ast::HandlerKind::change:
        changes.push_back({handler.name.text, handler.name.range});
        find_field(process, handler.name);
        break;
      case ast::HandlerKind::load: loads.push_back({handler.name.text, handler.range}); break;
    }
    check_block(handler.body, process);
  }
  report_duplicates(buttons, "handler");
  report_duplicates(changes, "change handler for");
  report_duplicates(loads, "handler");
  check_handler_loops(process);
}

void Checker::check_process(const ast::ProcessDecl& process) {
  std::vector<Named> fields;
  const ExprScope scope{&process};
  for (const auto& field : process.fields) {
    fields.push_back({field.name.text, field.name.range});
    if (!field.default_value) continue;
    const auto type = expr(*field.default_value, scope);
    check_assignable(field, *field.default_value, type);
    warn_literal_secret(field, *field.default_value, type);
  }
  report_duplicates(fields, "field");
  check_handlers(process);
}

// -------------------------------------------------------------- instances

void Checker::check_instance(const ast::InstanceDecl& instance, bool in_test) {
  const auto* process = find_process(instance.process);
  const ExprScope scope{process};
  std::vector<Named> targets;
  for (const auto& value : instance.values) {
    const auto type = expr(value.value, scope);
    const auto& name = value.target.front();
    if (value.target.size() != 1) {
      diagnostics_.error(name.range, "an instance value is set on a field of the process, not on a path");
      continue;
    }
    targets.push_back({name.text, name.range});
    const auto* field = process ? find_field(*process, name) : nullptr;
    if (!field) continue;
    check_assignable(*field, value.value, type);
    if (!in_test) warn_literal_secret(*field, value.value, type);
  }
  report_duplicates(targets, "value for", "set", Severity::warning);
}

// -------------------------------------------------------------- top level

void Checker::check_top_level_duplicates() {
  std::vector<Named> datasources, processes, instances, schedules, tests;
  for (const auto* d : program_.datasources()) datasources.push_back({d->name.text, d->name.range});
  for (const auto* p : program_.processes()) processes.push_back({p->name.text, p->name.range});
  for (const auto* i : program_.instances()) instances.push_back({i->id, i->id_range});
  for (const auto* s : program_.schedules()) schedules.push_back({s->name, s->name_range});
  for (const auto* t : program_.tests()) tests.push_back({t->name, t->name_range});
  report_duplicates(datasources, "datasource");
  report_duplicates(processes, "process");
  report_duplicates(instances, "instance");
  report_duplicates(schedules, "schedule");
  report_duplicates(tests, "test");
}

void Checker::run() {
  check_top_level_duplicates();
  for (const auto* datasource : program_.datasources()) check_datasource(*datasource);
  for (const auto* process : program_.processes()) check_process(*process);
  for (const auto* instance : program_.instances()) check_instance(*instance);
  for (const auto* schedule : program_.schedules()) check_schedule(*schedule);
  for (const auto* test : program_.tests()) check_test(*test);
  // Every env() has been met (a test's own instances hold some).
  if (complete_)
    for (const auto* test : program_.tests()) check_test_environment(*test);
}

}  // namespace check

namespace {

/// Whether every file and every import loaded and parsed into a module (the
/// loader names an imported file by path_beside, so the paths compare as
/// strings). When one did not, check_program reports no name unknown that the
/// missing file might declare.
bool every_file_parsed(const Program& program) {
  if (program.modules.size() != program.sources.size()) return false;
  std::set<std::string> loaded;
  for (std::uint32_t i = 0; i < program.sources.size(); ++i) loaded.insert(program.sources.file(i).path);
  for (const auto& module : program.modules) {
    const auto& file = program.sources.file(module.file).path;
    for (const auto& import : module.imports)
      if (!loaded.count(path_beside(file, import.path))) return false;
  }
  return true;
}

}  // namespace

void check_program(const Program& program, const FunctionRegistry& functions, Diagnostics& diagnostics,
                   std::optional<TimePoint> now) {
  Diagnostics found;
  check::Checker(program, functions, found, now, every_file_parsed(program)).run();
  // What loading reported (an impossible date) is read with the rest.
  auto items = diagnostics.items();
  items.insert(items.end(), found.items().begin(), found.items().end());
  // Checks run by topic; readers want the file top to bottom.
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.range.file != b.range.file) return a.range.file < b.range.file;
    return a.range.begin.offset < b.range.begin.offset;
  });
  diagnostics = Diagnostics();
  for (auto& item : items) diagnostics.add(std::move(item));
}

}  // namespace flow
