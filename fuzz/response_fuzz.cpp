// An answer from a hostile server, after Beast parsed it: the body read as the
// method declares it (JSON fields by name and by path), gunzipped under a cap,
// Retry-After read, the values mapped into typed fields and stored, secrets
// scrubbed from it. Every failure must be a RunError or an HttpError value.
//
// Input: byte 0 picks the status and the shape, the rest is the body (and,
// split at the first newline, a Retry-After value).
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

#include "engine/checker.hpp"
#include "engine/program.hpp"
#include "engine/rest_call.hpp"
#include "engine/secret_scrub.hpp"
#include "engine/http/gzip.hpp"
#include "engine/http/retry.hpp"
#include "engine/http/url.hpp"
#include "stdlib/stdlib.hpp"

namespace {

using namespace flow;

constexpr const char* kProgram = R"flow(
datasource Api rest {
  base_url = "http://127.0.0.1:1";
  method Token POST "/token" {
    response header Next "X-Next";
    response body json { access_token; expires_in; refresh_token; created_at;
                         first = "items[0].id"; deep = "a.b[2].c.d"; odd = "x.y[0][1]"; }
  }
  method Page GET "/page" { }
}
)flow";

struct World {
  Diagnostics diagnostics;
  std::unique_ptr<Program> program = load_program_text("response.flow", kProgram, diagnostics);
  const ast::DatasourceDecl* api = program->datasource("Api");
  FieldMap secrets{{"RefreshToken", Value("rt-0123456789abcdef", true)}, {"Short", Value("ab", true)}};
};

void map_into_fields(const Locals& locals) {
  for (const auto& [name, value] : locals) {
    if (!value.is<Json>()) continue;
    for (const auto& [key, item] : value.as<Json>().items()) {
      (void)key;
      for (auto type : {ast::FieldType::text, ast::FieldType::number, ast::FieldType::datetime, ast::FieldType::duration,
                        ast::FieldType::secret, ast::FieldType::json, ast::FieldType::list}) {
        try {
          (void)to_stored_text({{"F", coerce_to_field(from_json(item), type, "F")}});
        } catch (const RunError&) {
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  if (world.diagnostics.has_errors() || !world.api) std::abort();
  if (size == 0) return 0;
  const std::uint8_t shape = data[0];
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  HttpResponse response;
  response.status = std::array{200, 201, 400, 429, 500, 503}[shape % 6];
  const auto newline = rest.find('\n');
  const std::string header = rest.substr(0, newline == std::string::npos ? 0 : newline);
  response.body = newline == std::string::npos ? rest : rest.substr(newline + 1);
  response.headers = {{"X-Next", header}, {"Retry-After", header}};
  if (shape & 0x40) {
    std::string inflated;
    (void)http::gunzip(response.body, 64 * 1024, inflated);
  }
  if (shape & 0x80) (void)http::parse_url(response.body);
  (void)http::retry_after(HttpResult{response}, std::chrono::system_clock::now());
  (void)scrub_secrets(response.body, world.secrets);
  for (const char* method : {"Token", "Page"}) {
    try {
      const auto read = read_success(*Program::method(*world.api, method), response);
      map_into_fields(read.locals);
      for (const auto& [name, value] : read.locals) {
        (void)to_stored_text({{"F", value}});
      }
    } catch (const RunError&) {
    }
  }
  (void)error_locals("HTTP 500", response.status, response.body);
  return 0;
}
