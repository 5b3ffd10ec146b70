// An expression as the REPL reads one, evaluated against fields of every type
// and a JSON `body`: every failure must be a RunError (what the engine reports
// as a failed run), never a crash, a hang or another exception. Each result is
// also put through what a run does with it next: conversion to every field
// type, display (masked), and the store's typed JSON, which must round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <boost/asio/io_context.hpp>

#include "engine/eval.hpp"
#include "engine/virtual_clock.hpp"
#include "grammar/parser.hpp"
#include "stdlib/stdlib.hpp"

namespace {

using namespace flow;

struct World {
  FunctionRegistry functions;
  boost::asio::io_context io;
  VirtualClock clock{io.get_executor(), TimePoint(std::chrono::milliseconds(1'795'000'000'000))};
  std::map<std::string, std::string, std::less<>> environment{{"HOME", "/home/flow"}};
  FieldMap fields;
  std::map<std::string, Value, std::less<>> locals;

  World() {
    register_stdlib(functions);
    fields["Name"] = Value("Tök€n");
    fields["Count"] = Value(3);
    fields["Big"] = Value(1e308);
    fields["Flag"] = Value(true);
    fields["When"] = Value(TimePoint(std::chrono::milliseconds(1'795'000'000'000)));
    fields["Every"] = Value(Duration(std::chrono::minutes(55)));
    fields["Token"] = Value("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTUwMDAwMDB9.c2ln", true);
    fields["Items"] = Value(List{Value(1), Value("two"), Value()});
    fields["Doc"] = Value(Json::parse(R"({"a": {"b": [1, {"c": "d"}]}, "n": null})"));
    locals.emplace("body", Value(Json::parse(R"({"access_token": "at", "expires_in": 3600, "items": [{"id": 1}]})")));
  }
};

void put_through(const Value& value) {
  (void)display(value, false);
  (void)to_text(value);
  (void)truthy(value);
  const Value back = from_stored(to_stored(value));
  if (!(back == value) || back.secret != value.secret) std::abort();  // the store must round-trip
  for (auto type : {ast::FieldType::text, ast::FieldType::number, ast::FieldType::boolean, ast::FieldType::datetime,
                    ast::FieldType::duration, ast::FieldType::secret, ast::FieldType::json, ast::FieldType::list}) {
    try {
      const Value converted = coerce_to_field(value, type, "F");
      (void)to_stored_text({{"F", converted}});
    } catch (const RunError&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  SourceSet sources;
  const auto file = sources.add("expr.flow", std::string(reinterpret_cast<const char*>(data), size));
  Diagnostics diagnostics;
  const auto expr = parse_expression(sources, file, diagnostics);
  if (!expr) return 0;
  const Scope scope{&world.fields, &world.locals, &world.functions,
                    CallContext{&world.clock, nullptr, "TK-1", &world.environment}};
  try {
    put_through(evaluate(*expr, scope));
  } catch (const RunError&) {
  }
  try {
    (void)render_message(*expr, scope, false);
  } catch (const RunError&) {
  }
  return 0;
}
