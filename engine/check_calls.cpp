// Call sites: what a call reads of the process that makes it besides its map
// (request defaults, datasource headers and settings, evaluated in the
// caller's scope), and what it keeps of its answer.
#include <algorithm>

#include "engine/check_context.hpp"
#include "engine/rest_call.hpp"
#include "grammar/walk.hpp"

namespace flow::check {

namespace {

constexpr std::string_view kRefreshToken = "refresh_token";

bool is_mapped(const ast::CallRule& call, const ast::MethodDecl& method, const ast::RequestPart& part) {
  return std::any_of(call.map.begin(), call.map.end(),
                     [&](const ast::Assignment& entry) { return mapped_part(method, entry.target) == &part; });
}

/// The `body` that `expr` reads a member of (`body.NAME`, `body["NAME"]`),
/// with that member's name; else nullopt.
std::optional<std::pair<const ast::Expr*, std::string>> body_member(const ast::Expr& expr) {
  const ast::Expr* object = nullptr;
  std::string name;
  if (const auto* member = std::get_if<ast::Member>(&expr.node)) {
    object = member->object.get();
    name = member->name.text;
  } else if (const auto* index = std::get_if<ast::Index>(&expr.node)) {
    const auto* literal = std::get_if<ast::StringLiteral>(&index->index->node);
    if (!literal || literal->parts.size() != 1 || !std::holds_alternative<std::string>(literal->parts[0].part))
      return std::nullopt;
    object = index->object.get();
    name = std::get<std::string>(literal->parts[0].part);
  }
  const auto* id = object ? std::get_if<ast::Identifier>(&object->node) : nullptr;
  if (!id || id->name != "body") return std::nullopt;
  return std::pair{object, name};
}

/// Whether an on_success value reads the answer's body field `name`: as
/// `body.NAME`, or the whole `body` (kept, or indexed) in which it is.
bool reads_body_field(const ast::Expr& value, const std::string& name) {
  bool reads = false;
  std::vector<const ast::Expr*> member_objects;  // `body` of `body.OTHER`: no read of NAME
  ast::for_each_subexpression(value, [&](const ast::Expr& expr) {
    if (const auto member = body_member(expr)) {
      member_objects.push_back(member->first);
      reads = reads || member->second == name;
    } else if (const auto* id = std::get_if<ast::Identifier>(&expr.node); id && id->name == "body") {
      const bool of_member = std::find(member_objects.begin(), member_objects.end(), &expr) != member_objects.end();
      reads = reads || !of_member;
    }
  });
  return reads;
}

/// The map entry of `call` that sends the request's refresh_token, in a
/// body or query part of that name on the wire; else nullptr.
const ast::Assignment* refresh_token_sent(const ast::CallRule& call, const ast::MethodDecl& method) {
  for (const auto& entry : call.map) {
    const auto* part = mapped_part(method, entry.target);
    const bool body_or_query = part && (part->kind == ast::PartKind::body || part->kind == ast::PartKind::query);
    if (body_or_query && part->wire_name.value_or(part->name.text) == kRefreshToken) return &entry;
  }
  return nullptr;
}

/// The field of `process` a map entry sends (`RefreshToken` of
/// `trim(RefreshToken)`), else "FIELD".
std::string sent_field(const ast::ProcessDecl& process, const ast::Assignment& entry) {
  std::string field;
  ast::for_each_subexpression(entry.value, [&](const ast::Expr& expr) {
    const auto* id = std::get_if<ast::Identifier>(&expr.node);
    if (field.empty() && id && Program::field(process, id->name)) field = id->name;
  });
  return field.empty() ? "FIELD" : field;
}

}  // namespace

void Checker::check_caller_defaults(const ast::ProcessDecl& process, const ast::CallRule& call,
                                    const ast::DatasourceDecl& datasource, const ast::MethodDecl& method) {
  const auto called = call_name(datasource.name.text, method.name.text);
  const auto read = [&](const ast::Expr& value, const std::string& reader) {
    if (!defaults_read_.emplace(&value, &process).second) return;
    const auto where = "process " + process.name.text + ", read by " + reader + " when " + process.name.text +
                       " calls " + called;
    ast::for_each_subexpression(value, [&](const ast::Expr& expr) {
      const auto* id = std::get_if<ast::Identifier>(&expr.node);
      if (id && !Program::field(process, id->name))
        report_unknown(expr.range, "field", id->name, names_of(process.fields), where);
    });
  };
  for (const auto& setting : datasource.settings)
    read(setting.value, setting.name.text + " of " + datasource.name.text);
  for (const auto& header : datasource.headers)
    read(header.value, "header '" + header.header + "' of " + datasource.name.text);
  for (const auto& part : method.request)
    if (part.default_value && !is_mapped(call, method, part))
      read(*part.default_value, "the default of " + part_label(part));
}

void Checker::warn_dropped_refresh_token(const ast::ProcessDecl& process, const ast::CallRule& call,
                                         const ast::MethodDecl& method) {
  if (call.into) return;  // the whole answer is kept
  const auto* sent = refresh_token_sent(call, method);
  const auto answered = std::find_if(method.response.begin(), method.response.end(), [](const ast::ResponsePart& part) {
    return !part.is_header && part.wire_name.value_or(part.name.text) == kRefreshToken;
  });
  if (!sent || answered == method.response.end()) return;
  const auto& name = answered->name.text;
  if (call.on_success && std::any_of(call.on_success->begin(), call.on_success->end(),
                                     [&](const ast::Assignment& a) { return reads_body_field(a.value, name); }))
    return;
  diagnostics_.warning(call.method.range, "the answer's refresh_token is not mapped: a provider that rotates refresh "
                                          "tokens spends the stored one with this call; map it back: " +
                                              sent_field(process, *sent) + " = body." + name);
}

void Checker::note_env_call(const ast::Call& call, const std::vector<StaticType>& args) {
  EnvRead read;
  if (!args.empty()) read.name = constant_text(args[0]);
  if (args.size() > 1) read.fallback = constant_text(args[1]);
  env_reads_[&call] = std::move(read);
}

}  // namespace flow::check
