// One exchange's reading of the answer, through the Beast transport against
// scripted servers on 127.0.0.1: interim 1xx answers before the final one.
#include <chrono>

#include <catch2/catch.hpp>

#include "http/client_fixture.hpp"

namespace flow::test {
namespace {

using namespace std::chrono_literals;
using Action = Reply::Action;

constexpr const char* kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr const char* kEarlyHints = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
constexpr const char* kTokenJson = R"({"access_token":"at-new-1","refresh_token":"rt-new-2"})";

/// The final answer: a 200 with the rotated token, kept alive.
std::string token_answer() {
  const std::string json = kTokenJson;
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(json.size()) +
         "\r\n\r\n" + json;
}

std::string repeated(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

Script always_raw(std::string bytes) {
  return [bytes](const TestRequest&, const RequestInfo&) { return raw(bytes, Action::raw_keep_open); };
}

}  // namespace

TEST_CASE("exchange: a 100 Continue before the 200 is skipped, and the 200 is the answer") {
  Client client;
  TestServer server(client.io, always_raw(kContinue + token_answer()));
  auto result = client.send(post_form(server.url("/oauth/token"), "grant_type=refresh_token"), [&] { server.stop(); });
  const auto& response = expect_response(result);
  CHECK(response.status == 200);
  CHECK(response.body == kTokenJson);
  CHECK(response.header("Content-Type") == "application/json");
}

TEST_CASE("exchange: several interim answers (100, then 103 with headers of its own) are all skipped") {
  Client client;
  TestServer server(client.io, always_raw(std::string(kContinue) + kEarlyHints + token_answer()));
  auto result = client.send(post_form(server.url("/oauth/token"), "grant_type=refresh_token"), [&] { server.stop(); });
  const auto& response = expect_response(result);
  CHECK(response.status == 200);
  CHECK(response.body == kTokenJson);
  CHECK(response.header("Link") == std::nullopt);  // the 103's headers are not the answer's
}

TEST_CASE("exchange: eight interim answers are skipped; a ninth is refused as malformed") {
  Client client;
  SECTION("eight") {
    TestServer server(client.io, always_raw(repeated(kEarlyHints, 8) + token_answer()));
    auto result = client.send(get(server.url()), [&] { server.stop(); });
    CHECK(expect_response(result).body == kTokenJson);
  }
  SECTION("nine") {
    TestServer server(client.io, always_raw(repeated(kContinue, 9) + token_answer()));
    auto error = expect_error(client.send(get(server.url()), [&] { server.stop(); }));
    CHECK(error.kind == HttpErrorKind::malformed);
    CHECK(error.message == "reading the response from 127.0.0.1:" + std::to_string(server.port()) +
                               ": more than 8 interim (1xx) answers before the final one");
  }
}

TEST_CASE("exchange: 101 Switching Protocols, never asked for, is malformed") {
  Client client;
  TestServer server(client.io, always_raw("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                          "Connection: Upgrade\r\n\r\n" + token_answer()));
  auto error = expect_error(client.send(get(server.url()), [&] { server.stop(); }));
  CHECK(error.kind == HttpErrorKind::malformed);
  CHECK(error.message == "reading the response from 127.0.0.1:" + std::to_string(server.port()) +
                             ": the server switched protocols (101), which flow never asks for");
}

TEST_CASE("exchange: interim answers on a kept-alive connection leave it reusable for the next request") {
  Client client;
  TestServer server(client.io, [](const TestRequest&, const RequestInfo& info) {
    return raw((info.number_on_connection == 0 ? std::string(kContinue) : std::string(kEarlyHints) + kContinue) +
                   token_answer(),
               Action::raw_keep_open);
  });
  for (int i = 0; i < 3; ++i) {
    CHECK(expect_response(client.send(post_form(server.url("/oauth/token"), "n=" + std::to_string(i)))).body ==
          kTokenJson);
  }
  server.stop();
  CHECK(server.connections() == 1);
  CHECK(server.requests() == 3);
}

TEST_CASE("exchange: an interim answer and then silence times out at the read timeout") {
  BeastTransportOptions options;
  options.read_timeout = 200ms;
  Client client(options);
  TestServer server(client.io, always_raw(kContinue));
  auto request = get(server.url());
  request.timeout = 20s;
  auto error = expect_error(client.send(request, [&] { server.stop(); }));
  CHECK(error.kind == HttpErrorKind::timeout);
}

TEST_CASE("exchange: the body cap applies to the final answer after interim ones") {
  Client client;
  const std::string big(4096, 'x');
  TestServer server(client.io, always_raw(std::string(kContinue) + "HTTP/1.1 200 OK\r\nContent-Length: " +
                                          std::to_string(big.size()) + "\r\n\r\n" + big));
  auto request = get(server.url());
  request.max_response_bytes = 1024;
  auto error = expect_error(client.send(request, [&] { server.stop(); }));
  CHECK(error.kind == HttpErrorKind::too_large);
}

}  // namespace flow::test
