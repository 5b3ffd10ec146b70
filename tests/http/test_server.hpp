#pragma once
// Helpers for tests/http: a scripted HTTP server on 127.0.0.1 inside the test
// process (for behaviours a real provider would not show: hanging, closing
// mid-body, huge or chunked bodies, 503 storms), and a way to run a coroutine
// to completion on an io_context with a bound.

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "engine/http_transport.hpp"

namespace flow::test {

using TestRequest = boost::beast::http::request<boost::beast::http::string_body>;
using TestResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// What the scripted server does with one request.
struct Reply {
  enum class Action {
    respond,         // write `response` (keep-alive as the request asks)
    raw_keep_open,   // write `raw` bytes as they are, then read the next request
    raw_then_close,  // write `raw` bytes, then close the connection
    close,           // close without answering
    hang,            // never answer; wait for the client to give up
  };
  Action action = Action::respond;
  TestResponse response;
  std::string raw;
};

/// A complete response with `body` and extra headers.
Reply respond(int status, std::string body, const HttpHeaders& headers = {});
Reply raw(std::string bytes, Reply::Action action = Reply::Action::raw_keep_open);
Reply hang();
Reply close_connection();

struct RequestInfo {
  int number = 0;             // 0-based, over the server's life
  int number_on_connection = 0;
};
using Script = std::function<Reply(const TestRequest&, const RequestInfo&)>;

class TestServer {
 public:
  TestServer(boost::asio::io_context& io, Script script);
  ~TestServer();
  int port() const;
  std::string url(const std::string& path = "/") const;
  int connections() const;
  int requests() const;
  /// Stops accepting and closes every open connection (ends hanging sessions).
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

/// A forward proxy that answers CONNECT (to 127.0.0.1, localhost or flow.test,
/// all this machine) with `status`; on 200 it relays bytes both ways. A plain
/// http request in absolute form (`http://flow.test:PORT/path`) is forwarded
/// the same way. Records the requested targets.
class TestProxy {
 public:
  TestProxy(boost::asio::io_context& io, int status = 200);
  ~TestProxy();
  int port() const;
  std::string url() const;  // "http://127.0.0.1:PORT"
  const std::vector<std::string>& targets() const;
  /// From now on, a CONNECT it opens is answered with `bytes` rather than its
  /// "200 Connection established" (interim answers before one, odd headers).
  void answer_connect_with(std::string bytes);
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

/// Runs `task` on `io` until it completes (at most `limit`), then calls
/// `after` (typically TestServer::stop) and drains what is left. Rethrows the
/// task's exception; throws when the limit passes first.
template <typename T>
T run_task(boost::asio::io_context& io, boost::asio::awaitable<T> task, std::function<void()> after = {},
           std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  std::optional<T> result;
  std::exception_ptr failure;
  bool done = false;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr error, T value) {
    done = true;
    failure = error;
    if (!error) result.emplace(std::move(value));
  });
  auto deadline = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (!done && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(100));
    if (io.stopped()) io.restart();
  }
  if (after) after();
  io.restart();
  io.poll();  // let stopped sessions see their closed sockets; the rest dies with `io`
  if (!done) throw std::runtime_error("run_task: the task did not finish in time");
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

/// Sends one request through `transport` and runs it to completion.
HttpResult send_sync(boost::asio::io_context& io, HttpTransport& transport, HttpRequest request,
                     std::function<void()> after = {});

/// The response of `result`, or a test failure naming the error.
const HttpResponse& expect_response(const HttpResult& result);
/// The error of `result`, or a test failure naming the status.
const HttpError& expect_error(const HttpResult& result);

}  // namespace flow::test
