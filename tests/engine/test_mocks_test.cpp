// What a test reads of a request a mocked method was sent (request_record).
#include "engine/test_mocks.hpp"

#include <catch2/catch.hpp>

#include "engine/program.hpp"

namespace {

const char* const kApi = R"(
datasource Api rest {
  base_url = "https://api.example.com";
  method List POST "/orders" {
    request query { status; per_page = "per-page"; }
    request body json { client_id = "client.id"; note; }
  }
  method Login POST "/login" { request body form { user = "user-name"; } }
}
)";

}  // namespace

TEST_CASE("a recorded request holds each query and body part under its declared name too", "[flow-test]") {
  flow::Diagnostics diagnostics;
  const auto program = flow::load_program_text("test.flow", kApi, diagnostics);
  REQUIRE_FALSE(diagnostics.has_errors());
  const auto& api = *program->datasource("Api");

  flow::HttpRequest request;
  request.method = "POST";
  request.url = "https://api.example.com/orders?status=open&per-page=2";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"client":{"id":"c1"},"note":"n"})";
  const auto record = flow::request_record(request, flow::Program::method(api, "List"));
  CHECK(record["query"] == flow::Json::parse(R"({"status":"open","per-page":"2","per_page":"2"})"));
  CHECK(record["body"] == flow::Json::parse(R"({"client":{"id":"c1"},"client_id":"c1","note":"n"})"));
  // Without the method: as sent.
  CHECK(flow::request_record(request)["query"] == flow::Json::parse(R"({"status":"open","per-page":"2"})"));

  request.url = "https://api.example.com/login";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = "user-name=ann";
  CHECK(flow::request_record(request, flow::Program::method(api, "Login"))["body"] ==
        flow::Json::parse(R"({"user-name":"ann","user":"ann"})"));
}
