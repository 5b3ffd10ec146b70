// json: json_parse to_json json_get.
//
// json_parse always returns a json value (json_parse("3") is the json number 3);
// json_get returns what member access would: objects and arrays stay json, scalars
// become text/number/boolean, a missing path is null.
// to_json writes the value with secrets in clear: the result carries the taint, so
// it is masked wherever it is shown, but a request body built from it works.
// Null: json_parse(null) is a type error (there is no document); to_json(null) is "null".
// Secret taint: every result computed from a secret argument (or a list holding
// one) is secret.

#include "engine/json_path.hpp"
#include "stdlib/stdlib.hpp"
#include "stdlib/support.hpp"

namespace flow {
namespace {

using stdlib::tainted;

constexpr std::size_t kMaxDocument = 16 * 1024 * 1024;  // bytes

Value json_parse_fn(std::span<const Value> args, const CallContext&) {
  const std::string& text = stdlib::text_arg("json_parse", args[0]);
  if (text.size() > kMaxDocument) throw RunError("json_parse: document is larger than 16 MiB");
  return tainted(Value(stdlib::parse_json_text("json_parse", text)), args);
}

Value to_json_fn(std::span<const Value> args, const CallContext&) {
  const Json json = flow::to_json(args[0], /*reveal=*/true);
  // Invalid UTF-8 (decoded binary) becomes U+FFFD rather than a failed run.
  return tainted(Value(dump_json(json)), args);
}

Value json_get_fn(std::span<const Value> args, const CallContext&) {
  const Json& json = stdlib::json_arg("json_get", args[0]);
  const std::string& path = stdlib::text_arg("json_get", args[1]);
  const Json* found = nullptr;
  try {
    found = json_path_get(json, path);
  } catch (const std::exception&) {
    throw RunError("json_get: bad JSON path " + stdlib::quoted(args[1]));
  }
  return tainted(found == nullptr ? Value() : from_json(*found), args);
}

}  // namespace

void register_json_functions(FunctionRegistry& registry) {
  using K = ValueKind;
  registry.add({"json_parse", 1, 1, K::json, {K::text}, json_parse_fn, "json_parse(text) -> json"});
  registry.add({"to_json", 1, 1, K::text, {std::nullopt}, to_json_fn, "to_json(value) -> text"});
  registry.add({"json_get", 2, 2, std::nullopt, {K::json, K::text}, json_get_fn,
                "json_get(json, path) -> value"});
}

}  // namespace flow
