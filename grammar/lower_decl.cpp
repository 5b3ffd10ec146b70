// Lowering of top-level declarations: imports, datasources, processes, instances.

#include "grammar/credential_name.hpp"
#include "grammar/grammar.hpp"
#include "grammar/lower.hpp"

namespace flow::syntax {
namespace {

ast::HttpVerb verb_of(std::string_view word) {
  if (word == "POST") return ast::HttpVerb::POST;
  if (word == "PUT") return ast::HttpVerb::PUT;
  if (word == "PATCH") return ast::HttpVerb::PATCH;
  if (word == "DELETE") return ast::HttpVerb::DELETE;
  return ast::HttpVerb::GET;
}

ast::FieldType field_type_of(std::string_view word) {
  using T = ast::FieldType;
  if (word == "number") return T::number;
  if (word == "boolean") return T::boolean;
  if (word == "datetime") return T::datetime;
  if (word == "duration") return T::duration;
  if (word == "secret") return T::secret;
  if (word == "json") return T::json;
  if (word == "list") return T::list;
  return T::text;
}

/// Whether a request part or a datasource header holds a credential: declared
/// `secret`, or its name on the wire reads as one. Read once, at lowering.
bool holds_credential(bool secret, std::string_view wire_name) { return secret || is_credential_name(wire_name); }

/// A request part as declared, with what a call asks of it on every run read
/// here, once: whether it holds a credential (ast::RequestPart::credential).
ast::RequestPart declared_part(ast::PartKind kind, ast::Name name, std::optional<std::string> wire,
                              std::optional<ast::Expr> value, bool secret, SourceRange range) {
  ast::RequestPart part{kind, std::move(name), std::move(wire), std::move(value), secret, range, false};
  part.credential = holds_credential(secret, part.wire_name ? *part.wire_name : part.name.text);
  return part;
}

}  // namespace

void Lowerer::declaration(ast::Module& module, const Node& decl) const {
  if (decl.is_type<import_decl>()) {
    module.imports.push_back({constant_string(*decl.children.front()), range(decl)});
  } else if (decl.is_type<datasource_decl>()) {
    module.datasources.push_back(datasource(decl));
  } else if (decl.is_type<process_decl>()) {
    module.processes.push_back(process(decl));
  } else if (decl.is_type<instance_decl>()) {
    module.instances.push_back(instance(decl));
  } else if (decl.is_type<schedule_decl>()) {
    module.schedules.push_back(schedule(decl));
  } else {
    module.tests.push_back(test(decl));
  }
}

// datasource_decl: [datasource_name, datasource_kind, (setting | datasource_header | method_decl)...]
ast::DatasourceDecl Lowerer::datasource(const Node& node) const {
  const auto& kids = node.children;
  ast::DatasourceDecl result;
  result.name = name(*kids[0]);
  result.kind = name(*kids[1]);
  result.range = range(node);
  if (result.kind.text != "rest") fail(*kids[1], "unknown datasource kind '" + result.kind.text + "' (expected rest)");
  for (std::size_t i = 2; i < kids.size(); ++i) {
    const Node& item = *kids[i];
    if (item.is_type<setting>()) {
      result.settings.push_back({name(*item.children[0]), expression(*item.children[1]), range(item)});
    } else if (item.is_type<datasource_header>()) {
      const bool secret = item.children[1]->is_type<kw_secret>();
      auto header = constant_string(*item.children[0]);
      const bool credential = holds_credential(secret, header);
      result.headers.push_back({std::move(header), expression(*item.children.back()), secret, range(item), credential});
    } else {
      result.methods.push_back(method(item));
    }
  }
  return result;
}

// method_decl: [method_name, http_verb, method_path, (request_header | request_query |
//               request_body | response_header | response_body)...]
ast::MethodDecl Lowerer::method(const Node& node) const {
  const auto& kids = node.children;
  ast::MethodDecl result;
  result.name = name(*kids[0]);
  result.verb = verb_of(kids[1]->string_view());
  result.path = constant_string(*kids[2]);
  result.path_range = range(*kids[2]);
  result.path_template = read_path_template(result.path);
  result.range = range(node);
  for (std::size_t i = 3; i < kids.size(); ++i) method_item(result, *kids[i]);
  return result;
}

// request_header: [part_name, wire_name?, kw_secret?, expression?]; request_query: [part_entry...];
// request_body: [body_format, part_entry...]; response_header: [part_name, wire_name];
// response_body: [part_entry...]; part_entry: [part_name, kw_secret?, wire_name?]
void Lowerer::method_item(ast::MethodDecl& method, const Node& node) const {
  const auto child = [](const Node& owner, auto type) -> const Node* {
    for (const auto& kid : owner.children)
      if (kid->is_type<decltype(type)>()) return kid.get();
    return nullptr;
  };
  const auto wire = [&](const Node& owner) -> std::optional<std::string> {
    if (const Node* found = child(owner, wire_name{})) return constant_string(*found);
    return std::nullopt;
  };
  const auto secret = [&](const Node& owner) { return child(owner, kw_secret{}) != nullptr; };
  const auto entries = [&](ast::PartKind kind, bool response) {
    for (const auto& entry : node.children) {
      if (!entry->is_type<part_entry>()) continue;
      if (response) {
        if (secret(*entry)) {
          fail(*child(*entry, kw_secret{}),
               "only a request part is declared secret; an answer's value is secret once mapped into a secret field");
        }
        method.response.push_back({false, name(*entry->children[0]), wire(*entry), range(*entry)});
      } else {
        method.request.push_back(
            declared_part(kind, name(*entry->children[0]), wire(*entry), std::nullopt, secret(*entry), range(*entry)));
      }
    }
  };
  const auto once = [&](ast::BodyFormat& format, ast::BodyFormat value, const char* what) {
    if (format != ast::BodyFormat::none) fail(node, std::string("a method declares one ") + what);
    format = value;
  };
  if (node.is_type<request_header>()) {
    std::optional<ast::Expr> value;
    if (node.children.back()->is_type<syntax::expression>()) value = expression(*node.children.back());
    method.request.push_back(
        declared_part(ast::PartKind::header, name(*node.children[0]), wire(node), std::move(value), secret(node),
                      range(node)));
  } else if (node.is_type<request_query>()) {
    entries(ast::PartKind::query, false);
  } else if (node.is_type<request_body>()) {
    const bool json = node.children[0]->string_view() == "json";
    once(method.request_format, json ? ast::BodyFormat::json : ast::BodyFormat::form, "request body");
    entries(ast::PartKind::body, false);
  } else if (node.is_type<response_header>()) {
    method.response.push_back({true, name(*node.children[0]), wire(node), range(node)});
  } else {
    once(method.response_format, ast::BodyFormat::json, "response body");
    entries(ast::PartKind::body, true);
  }
}

// process_decl: [process_name, (field_decl | handler)...]
ast::ProcessDecl Lowerer::process(const Node& node) const {
  ast::ProcessDecl result;
  result.name = name(*node.children.front());
  result.range = range(node);
  for (std::size_t i = 1; i < node.children.size(); ++i) {
    const Node& item = *node.children[i];
    if (item.is_type<field_decl>()) {
      result.fields.push_back(field(item));
    } else {
      result.handlers.push_back(handler(item));
    }
  }
  return result;
}

// field_decl: [field_name, field_type, kw_required?, expression?]
ast::FieldDecl Lowerer::field(const Node& node) const {
  ast::FieldDecl result;
  result.name = name(*node.children[0]);
  result.type = field_type_of(node.children[1]->string_view());
  result.range = range(node);
  for (std::size_t i = 2; i < node.children.size(); ++i) {
    if (node.children[i]->is_type<kw_required>()) result.required = true;
    if (node.children[i]->is_type<syntax::expression>()) result.default_value = expression(*node.children[i]);
  }
  return result;
}

// handler: [kw_change, field_name, rule_block] | [kw_load, rule_block] | [handler_name, rule_block]
ast::Handler Lowerer::handler(const Node& node) const {
  const auto& kids = node.children;
  ast::Handler result;
  result.range = range(node);
  result.body = rule_block(*kids.back());
  if (kids[0]->is_type<kw_change>()) {
    result.kind = ast::HandlerKind::change;
    result.name = name(*kids[1]);
  } else if (kids[0]->is_type<kw_load>()) {
    result.kind = ast::HandlerKind::load;
    result.name = name(*kids[0]);
  } else {
    result.name = name(*kids[0]);
  }
  return result;
}

// instance_decl: [instance_id, process_name, assignment...]
ast::InstanceDecl Lowerer::instance(const Node& node) const {
  ast::InstanceDecl result;
  result.id = constant_string(*node.children[0]);
  result.id_range = range(*node.children[0]);
  result.process = name(*node.children[1]);
  result.values = assignments(node);
  result.range = range(node);
  return result;
}

}  // namespace flow::syntax
