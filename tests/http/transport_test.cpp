// The Beast transport against scripted servers on 127.0.0.1 inside the test:
// bodies (chunked, gzip, oversized), broken servers, timeouts, retries, pooling.
#include <zlib.h>

#include <chrono>

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "http/client_fixture.hpp"

namespace flow::test {
namespace {

using namespace std::chrono_literals;
using Action = Reply::Action;
using Stopwatch = std::chrono::steady_clock;

std::string gzip(const std::string& data) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Script always(Reply reply) {
  return [reply](const TestRequest&, const RequestInfo&) { return reply; };
}

/// Answers `failures` requests with `status` (and headers), then 200 "ok".
Script fail_then_ok(int failures, int status, HttpHeaders headers = {}) {
  return [=](const TestRequest&, const RequestInfo& info) {
    return info.number < failures ? respond(status, "busy", headers) : respond(200, "ok");
  };
}

long long elapsed_ms(Stopwatch::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Stopwatch::now() - start).count();
}

/// A 127.0.0.1 port with nothing listening (bound, then released).
int closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address_v4("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

}  // namespace

TEST_CASE("transport: sends method, target, Host, headers and body; reads status, headers and body") {
  Client client;
  TestRequest seen;
  TestServer server(client.io, [&seen](const TestRequest& request, const RequestInfo&) {
    seen = request;
    return respond(201, R"({"ok":true})", {{"Content-Type", "application/json"}, {"X-Reply", "yes"}});
  });
  auto request = post_form(server.url("/oauth/token?x=1"), "grant_type=refresh_token&a=b");
  request.headers.emplace_back("X-Custom", "value");
  auto result = client.send(request, [&] { server.stop(); });
  const auto& response = expect_response(result);
  CHECK(response.status == 201);
  CHECK(response.body == R"({"ok":true})");
  CHECK(response.header("x-reply") == "yes");
  CHECK(response.header("missing") == std::nullopt);
  CHECK(seen.method_string() == "POST");
  CHECK(seen.target() == "/oauth/token?x=1");
  CHECK(seen["Host"] == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(seen["Content-Type"] == "application/x-www-form-urlencoded");
  CHECK(seen["Content-Length"] == "28");
  CHECK(seen["X-Custom"] == "value");
  CHECK(seen["Accept-Encoding"] == "gzip");
  CHECK(seen.body() == "grant_type=refresh_token&a=b");
}

TEST_CASE("transport: a chunked body is reassembled") {
  Client client;
  TestServer server(client.io, always(raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                          "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n")));
  auto result = client.send(get(server.url()), [&] { server.stop(); });
  CHECK(expect_response(result).body == "hello world");
}

TEST_CASE("transport: a gzip body is decoded and its encoding headers dropped") {
  Client client;
  std::string json = R"({"access_token":")" + std::string(5000, 'a') + "\"}";
  TestServer server(client.io, always(respond(200, gzip(json), {{"Content-Encoding", "gzip"}})));
  auto result = client.send(get(server.url()), [&] { server.stop(); });
  const auto& response = expect_response(result);
  CHECK(response.body == json);
  CHECK(response.header("Content-Encoding") == std::nullopt);
}

TEST_CASE("transport: a gzip body that inflates past the cap is too_large") {
  Client client;
  TestServer server(client.io, always(respond(200, gzip(std::string(3 << 20, '0')), {{"Content-Encoding", "gzip"}})));
  auto request = get(server.url());
  request.max_response_bytes = 1 << 20;
  auto error = expect_error(client.send(request, [&] { server.stop(); }));
  CHECK(error.kind == HttpErrorKind::too_large);
  CHECK(error.message == "decoded gzip body exceeds max_response_bytes (1048576 bytes; set max_response_bytes on "
                         "the datasource to allow more)");
}

TEST_CASE("transport: a 10 MB body against a 1 MB cap is too_large, with or without Content-Length") {
  Client client;
  std::string big(10 << 20, 'x');
  bool chunked = GENERATE(false, true);
  Reply reply = respond(200, big);
  if (chunked) {
    reply.response.chunked(true);
  }
  TestServer server(client.io, always(reply));
  auto request = get(server.url());
  request.max_response_bytes = 1 << 20;
  auto error = expect_error(client.send(request, [&] { server.stop(); }));
  CHECK(error.kind == HttpErrorKind::too_large);
  // The size is said when the headers declared it.
  CHECK(error.message == "reading the response from 127.0.0.1:" + std::to_string(server.port()) +
                             ": response body" + (chunked ? "" : " of 10485760 bytes") +
                             " exceeds max_response_bytes (1048576 bytes; set max_response_bytes on the datasource "
                             "to allow more)");
}

TEST_CASE("transport: headers past the fixed 64 KiB limit are too_large, and the message says the limit") {
  Client client;
  std::string headers;
  for (int i = 0; i < 70; ++i) headers += "X-Padding-" + std::to_string(i) + ": " + std::string(1024, 'p') + "\r\n";
  TestServer server(client.io, always(raw("HTTP/1.1 200 OK\r\n" + headers + "Content-Length: 2\r\n\r\nok")));
  auto error = expect_error(client.send(get(server.url()), [&] { server.stop(); }));
  CHECK(error.kind == HttpErrorKind::too_large);
  CHECK(error.message == "reading the response from 127.0.0.1:" + std::to_string(server.port()) +
                             ": response headers exceed 65536 bytes (flow's fixed limit for an answer's headers)");
}

TEST_CASE("transport: a server that never answers times out at the request deadline") {
  Client client;
  TestServer server(client.io, always(hang()));
  auto request = get(server.url());
  request.timeout = 300ms;
  auto start = Stopwatch::now();
  auto error = expect_error(client.send(request, [&] { server.stop(); }));
  CHECK(error.kind == HttpErrorKind::timeout);
  CHECK(elapsed_ms(start) >= 250);
  CHECK(elapsed_ms(start) < 3000);
}

TEST_CASE("transport: the per-step read timeout fires before a longer deadline") {
  BeastTransportOptions options;
  options.read_timeout = 200ms;
  Client client(options);
  TestServer server(client.io, always(hang()));
  auto request = get(server.url());
  request.timeout = 20s;
  auto start = Stopwatch::now();
  auto error = expect_error(client.send(request, [&] { server.stop(); }));
  CHECK(error.kind == HttpErrorKind::timeout);
  CHECK(elapsed_ms(start) < 3000);
}

TEST_CASE("transport: a server closing mid-body is a network error") {
  Client client;
  TestServer server(client.io, always(raw("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(100, 'x'),
                                          Action::raw_then_close)));
  auto error = expect_error(client.send(get(server.url()), [&] { server.stop(); }));
  CHECK(error.kind == HttpErrorKind::network);
  CHECK(error.message.find("closed before the end of the body") != std::string::npos);
}

TEST_CASE("transport: a response that is not HTTP is malformed") {
  Client client;
  TestServer server(client.io, always(raw("SSH-2.0-OpenSSH_9.2\r\n\r\n", Action::raw_then_close)));
  auto error = expect_error(client.send(get(server.url()), [&] { server.stop(); }));
  CHECK(error.kind == HttpErrorKind::malformed);
}

TEST_CASE("transport: a proxy that cannot be reached fails as the target would: transient, retried") {
  BeastTransportOptions options;
  const int port = closed_port();
  options.https_proxy = "http://127.0.0.1:" + std::to_string(port);
  Client client(options);
  auto request = get("https://api.example.com/");
  request.retry = {3, 1ms, 5ms};
  auto error = expect_error(client.send(request));
  CHECK(error.kind == HttpErrorKind::refused);
  CHECK(error.message == "connecting to proxy 127.0.0.1:" + std::to_string(port) +
                             ": Connection refused (after 3 attempts)");
}

TEST_CASE("transport: nothing listening is refused, and the message names the origin only") {
  Client client;
  int port = closed_port();
  auto request = post_form("http://127.0.0.1:" + std::to_string(port) + "/oauth/token?code=QUERYSECRET",
                           "client_secret=BODYSECRET");
  request.headers.emplace_back("Authorization", "Bearer HEADERSECRET");
  auto error = expect_error(client.send(request));
  CHECK(error.kind == HttpErrorKind::refused);
  CHECK(error.message == "connecting to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_CASE("transport: errors never repeat request bodies, Authorization values or the query") {
  Client client;
  TestServer server(client.io, always(hang()));
  auto request = post_form(server.url("/oauth/token?code=QUERYSECRET"), "client_secret=BODYSECRET");
  request.headers.emplace_back("Authorization", "Bearer HEADERSECRET");
  request.timeout = 200ms;
  auto error = expect_error(client.send(request, [&] { server.stop(); }));
  for (const char* secret : {"QUERYSECRET", "BODYSECRET", "HEADERSECRET", "/oauth/token"}) {
    CHECK(error.message.find(secret) == std::string::npos);
  }
}

TEST_CASE("transport: bad URLs and header injection fail before any I/O") {
  Client client;
  auto error = expect_error(client.send(get("ftp://127.0.0.1/")));
  CHECK(error.kind == HttpErrorKind::invalid_url);
  auto request = get("http://127.0.0.1:1/");
  request.headers = {{"X-Evil", "a\r\nInjected: yes"}};
  CHECK(expect_error(client.send(request)).kind == HttpErrorKind::malformed);
}

TEST_CASE("transport: 503 is retried with backoff until it succeeds") {
  Client client;
  TestServer server(client.io, fail_then_ok(3, 503));
  auto request = get(server.url());
  request.retry = {5, 100ms, 1000ms};
  auto start = Stopwatch::now();
  auto result = client.send(request, [&] { server.stop(); });
  CHECK(expect_response(result).status == 200);
  CHECK(server.requests() == 4);
  CHECK(elapsed_ms(start) >= 50 + 100 + 200);  // the fixed halves of 100, 200, 400 ms
}

TEST_CASE("transport: retries stop at max_attempts and return the last response") {
  Client client;
  TestServer server(client.io, fail_then_ok(10, 503));
  auto request = get(server.url());
  request.retry = {3, 1ms, 5ms};
  auto result = client.send(request, [&] { server.stop(); });
  CHECK(expect_response(result).status == 503);
  CHECK(expect_response(result).attempts == 3);  // the run's error says "(after 3 attempts)"
  CHECK(server.requests() == 3);
}

TEST_CASE("transport: 400 and other 4xx are never retried") {
  Client client;
  int status = GENERATE(400, 401, 404);
  TestServer server(client.io, fail_then_ok(10, status));
  auto request = get(server.url());
  request.retry = {5, 1ms, 5ms};
  auto result = client.send(request, [&] { server.stop(); });
  CHECK(expect_response(result).status == status);
  CHECK(server.requests() == 1);
}

TEST_CASE("transport: 429 honours Retry-After, but not past the deadline") {
  Client client;
  SECTION("Retry-After: 0 retries at once") {
    TestServer server(client.io, fail_then_ok(1, 429, {{"Retry-After", "0"}}));
    auto request = get(server.url());
    request.retry = {3, 5s, 10s};  // the header overrides the long backoff
    auto start = Stopwatch::now();
    CHECK(expect_response(client.send(request, [&] { server.stop(); })).status == 200);
    CHECK(elapsed_ms(start) < 2000);
    CHECK(server.requests() == 2);
  }
  SECTION("a Retry-After beyond the deadline returns the 429 at once") {
    TestServer server(client.io, fail_then_ok(1, 429, {{"Retry-After", "30"}}));
    auto request = get(server.url());
    request.retry = {3, 1ms, 5ms};
    request.timeout = 2s;
    auto start = Stopwatch::now();
    CHECK(expect_response(client.send(request, [&] { server.stop(); })).status == 429);
    CHECK(elapsed_ms(start) < 1000);
    CHECK(server.requests() == 1);
  }
}

TEST_CASE("transport: the deadline bounds a retry loop") {
  Client client;
  TestServer server(client.io, fail_then_ok(1000, 503));
  auto request = get(server.url());
  request.retry = {1000, 50ms, 50ms};
  request.timeout = 500ms;
  auto start = Stopwatch::now();
  CHECK(expect_response(client.send(request, [&] { server.stop(); })).status == 503);
  CHECK(elapsed_ms(start) < 1500);
  CHECK(server.requests() < 20);
}

TEST_CASE("transport: network errors are retried too") {
  Client client;
  TestServer server(client.io, [](const TestRequest&, const RequestInfo& info) {
    return info.number < 2 ? close_connection() : respond(200, "ok");
  });
  auto request = get(server.url());
  request.retry = {3, 1ms, 5ms};
  CHECK(expect_response(client.send(request, [&] { server.stop(); })).status == 200);
  CHECK(server.connections() == 3);
}

TEST_CASE("transport: keep-alive reuses one connection per origin") {
  Client client;
  TestServer server(client.io, always(respond(200, "ok")));
  for (int i = 0; i < 5; ++i) CHECK(expect_response(client.send(get(server.url()))).status == 200);
  server.stop();
  CHECK(server.connections() == 1);
  CHECK(server.requests() == 5);
}

TEST_CASE("transport: Connection: close is honoured") {
  Client client;
  TestServer server(client.io, always(raw("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
                                          Action::raw_then_close)));
  for (int i = 0; i < 3; ++i) CHECK(expect_response(client.send(get(server.url()))).body == "ok");
  server.stop();
  CHECK(server.connections() == 3);
}

TEST_CASE("transport: a pooled connection that dies on reuse is retried once on a fresh one") {
  Client client;
  // The second request on any connection is read and then dropped unanswered,
  // as a server that closes idle connections would.
  TestServer server(client.io, [](const TestRequest&, const RequestInfo& info) {
    return info.number_on_connection == 1 ? close_connection() : respond(200, "ok");
  });
  for (int i = 0; i < 3; ++i) {
    auto request = get(server.url());
    request.retry.max_attempts = 1;  // the stale retry is not a policy retry
    CHECK(expect_response(client.send(request)).status == 200);
  }
  server.stop();
  CHECK(server.connections() == 3);
  CHECK(server.requests() == 5);
}

TEST_CASE("transport: a POST is never sent again on its own when a pooled connection dies before the answer") {
  Client client;
  // Answers the first request on a connection; reads the second and closes
  // without answering (a server that may have processed it).
  std::vector<std::string> bodies;
  TestServer server(client.io, [&bodies](const TestRequest& request, const RequestInfo& info) {
    bodies.push_back(request.body());
    return info.number_on_connection == 1 ? close_connection() : respond(200, "ok");
  });
  CHECK(expect_response(client.send(post_form(server.url("/oauth/token"), "refresh_token=r0"))).status == 200);
  SECTION("retries = 0: a network error that says it was not resent") {
    auto error = expect_error(client.send(post_form(server.url("/oauth/token"), "refresh_token=r1")));
    CHECK(error.kind == HttpErrorKind::network);
    CHECK(error.message == "reading the response from 127.0.0.1:" + std::to_string(server.port()) +
                               ": connection closed before any response; the POST was not sent again: it is not "
                               "idempotent, and the server may have processed it");
    CHECK(bodies == std::vector<std::string>{"refresh_token=r0", "refresh_token=r1"});
  }
  SECTION("retries = 1: the retry policy may repeat it, as an attempt") {
    auto request = post_form(server.url("/oauth/token"), "refresh_token=r1");
    request.retry = {2, 1ms, 5ms};
    auto result = client.send(request);
    const auto& response = expect_response(result);
    CHECK(response.status == 200);
    CHECK(response.attempts == 2);
    CHECK(bodies == std::vector<std::string>{"refresh_token=r0", "refresh_token=r1", "refresh_token=r1"});
  }
  server.stop();
}

TEST_CASE("transport: a POST checks a pooled connection for a close by the server before using it") {
  Client client;
  // Keep-alive by the headers, closed by the server right after answering.
  TestServer server(client.io, always(raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", Action::raw_then_close)));
  CHECK(expect_response(client.send(post_form(server.url(), "n=1"))).body == "ok");
  client.io.restart();
  client.io.run_for(50ms);  // the server closes; the pool has not looked yet (parked too briefly to peek)
  CHECK(expect_response(client.send(post_form(server.url(), "n=2"))).body == "ok");
  server.stop();
  CHECK(server.connections() == 2);
  CHECK(server.requests() == 2);
}

TEST_CASE("transport: a pooled connection the server closed while idle is replaced, the request sent once") {
  Client client;
  // Keep-alive by the headers, closed by the server right after answering: the
  // client parks it, and takes it again at once (too soon to peek at it).
  TestServer server(client.io, always(raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", Action::raw_then_close)));
  for (int i = 0; i < 3; ++i) {
    auto request = get(server.url());
    request.retry.max_attempts = 1;
    CHECK(expect_response(client.send(request)).body == "ok");
  }
  server.stop();
  CHECK(server.connections() == 3);
  CHECK(server.requests() == 3);  // no request reached the server twice
}

TEST_CASE("transport: a connection with bytes left over after its answer is not reused, however soon") {
  Client client;
  // Two stray bytes after the declared body: taken again at once (too soon to
  // peek), the connection would read them as the start of the next answer.
  TestServer server(client.io,
                    always(raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokXX", Action::raw_keep_open)));
  for (int i = 0; i < 3; ++i) CHECK(expect_response(client.send(get(server.url()))).body == "ok");
  server.stop();
  CHECK(server.connections() == 3);
}

}  // namespace flow::test
