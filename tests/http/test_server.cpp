#include "http/test_server.hpp"

#include <array>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>

#include "engine/http/awaitable.hpp"

namespace flow::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = beast::http;
using tcp = asio::ip::tcp;
using http::kTuple;

struct TestServer::State {
  explicit State(asio::io_context& io) : acceptor(io) {}
  tcp::acceptor acceptor;
  Script script;
  int port = 0;
  int connections = 0;
  int requests = 0;
  std::vector<std::weak_ptr<beast::tcp_stream>> streams;
};

namespace {

void rethrow(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

/// Reads until the peer closes (or stop() closes us): the "hang" behaviour.
asio::awaitable<void> drain(std::shared_ptr<beast::tcp_stream> stream) {
  char sink[1024];
  for (;;) {
    auto [error, n] = co_await stream->async_read_some(asio::buffer(sink), kTuple);
    if (error) co_return;
  }
}

/// Carries out `reply`; false when the connection is finished.
asio::awaitable<bool> perform(std::shared_ptr<beast::tcp_stream> stream, Reply reply) {
  switch (reply.action) {
    case Reply::Action::respond: {
      auto [error, n] = co_await beast_http::async_write(*stream, reply.response, kTuple);
      co_return !error && reply.response.keep_alive();
    }
    case Reply::Action::raw_keep_open:
    case Reply::Action::raw_then_close: {
      auto [error, n] = co_await asio::async_write(*stream, asio::buffer(reply.raw), kTuple);
      co_return !error && reply.action == Reply::Action::raw_keep_open;
    }
    case Reply::Action::close:
      co_return false;
    case Reply::Action::hang:
      co_await drain(stream);
      co_return false;
  }
  co_return false;
}

asio::awaitable<void> session(std::shared_ptr<TestServer::State> state, std::shared_ptr<beast::tcp_stream> stream) {
  beast::flat_buffer buffer;
  for (int on_connection = 0;; ++on_connection) {
    TestRequest request;
    auto [error, n] = co_await beast_http::async_read(*stream, buffer, request, kTuple);
    if (error) break;
    RequestInfo info{state->requests++, on_connection};
    Reply reply = state->script(request, info);
    if (reply.action == Reply::Action::respond) reply.response.keep_alive(request.keep_alive());
    if (!co_await perform(stream, std::move(reply))) break;
  }
  beast::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream->socket().close(ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<TestServer::State> state) {
  for (;;) {
    auto [error, socket] = co_await state->acceptor.async_accept(kTuple);
    if (error) co_return;
    ++state->connections;
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    state->streams.push_back(stream);
    asio::co_spawn(state->acceptor.get_executor(), session(state, stream), rethrow);
  }
}

/// Opens `acceptor` on 127.0.0.1 at a port the kernel picks; returns the port.
int listen_on_loopback(tcp::acceptor& acceptor) {
  tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
  acceptor.open(endpoint.protocol());
  acceptor.bind(endpoint);
  acceptor.listen();
  return acceptor.local_endpoint().port();
}

}  // namespace

Reply respond(int status, std::string body, const HttpHeaders& headers) {
  Reply reply;
  reply.response.result(static_cast<unsigned>(status));
  reply.response.version(11);
  for (const auto& [name, value] : headers) reply.response.set(name, value);
  reply.response.body() = std::move(body);
  reply.response.prepare_payload();
  return reply;
}

Reply raw(std::string bytes, Reply::Action action) {
  Reply reply;
  reply.action = action;
  reply.raw = std::move(bytes);
  return reply;
}

Reply hang() { return Reply{Reply::Action::hang, {}, {}}; }
Reply close_connection() { return Reply{Reply::Action::close, {}, {}}; }

TestServer::TestServer(asio::io_context& io, Script script) : state_(std::make_shared<State>(io)) {
  state_->script = std::move(script);
  state_->port = listen_on_loopback(state_->acceptor);
  asio::co_spawn(io, accept_loop(state_), rethrow);
}

TestServer::~TestServer() { stop(); }

int TestServer::port() const { return state_->port; }

std::string TestServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

int TestServer::connections() const { return state_->connections; }
int TestServer::requests() const { return state_->requests; }

void TestServer::stop() {
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& weak : state_->streams) {
    if (auto stream = weak.lock()) stream->socket().close(ignored);
  }
  state_->streams.clear();
}

struct TestProxy::State {
  explicit State(asio::io_context& io) : acceptor(io) {}
  tcp::acceptor acceptor;
  int status = 200;
  std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
  int port = 0;
  std::vector<std::string> targets;
  std::vector<std::weak_ptr<tcp::socket>> sockets;
};

namespace {

/// Copies one direction of a tunnel until either side closes, then closes both.
asio::awaitable<void> relay(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  std::array<char, 16 * 1024> chunk;
  for (;;) {
    auto [read_error, n] = co_await from->async_read_some(asio::buffer(chunk), kTuple);
    if (read_error) break;
    auto [write_error, written] = co_await asio::async_write(*to, asio::buffer(chunk.data(), n), kTuple);
    if (write_error) break;
  }
  beast::error_code ignored;
  from->close(ignored);
  to->close(ignored);
}

/// "127.0.0.1:PORT" / "localhost:PORT" / "flow.test:PORT" (a name only this
/// proxy knows) -> the port; 0 for anything else (the proxy never lets a test
/// reach beyond this machine).
int local_target_port(const std::string& authority) {
  for (std::string host : {"127.0.0.1:", "localhost:", "flow.test:"}) {
    if (authority.starts_with(host)) return std::stoi(authority.substr(host.size()));
  }
  return 0;
}

/// "http://AUTHORITY/path" -> {AUTHORITY, "/path"}; empty for any other target.
std::pair<std::string, std::string> split_absolute_target(const std::string& target) {
  if (!target.starts_with("http://")) return {};
  auto slash = target.find('/', 7);
  if (slash == std::string::npos) return {target.substr(7), "/"};
  return {target.substr(7, slash - 7), target.substr(slash)};
}

asio::awaitable<void> proxy_session(std::shared_ptr<TestProxy::State> state, std::shared_ptr<tcp::socket> client) {
  using namespace asio::experimental::awaitable_operators;
  beast::flat_buffer buffer;
  beast_http::request<beast_http::string_body> request;
  auto [read_error, n] = co_await beast_http::async_read(*client, buffer, request, kTuple);
  if (read_error) co_return;
  std::string target(request.target());
  state->targets.push_back(target);
  const bool connect = request.method() == beast_http::verb::connect;
  auto [authority, path] = split_absolute_target(target);  // plain http: the request itself
  int port = local_target_port(connect ? target : authority);
  if (state->status != 200 || port == 0 || (!connect && path.empty())) {
    const int status = state->status == 200 ? 403 : state->status;
    std::string answer = "HTTP/1.1 " + std::to_string(status) + " " +
                         std::string(beast_http::obsolete_reason(beast_http::int_to_status(status))) +
                         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(*client, asio::buffer(answer), kTuple);
    co_return;
  }
  auto upstream = std::make_shared<tcp::socket>(client->get_executor());
  state->sockets.push_back(upstream);
  auto [connect_error] = co_await upstream->async_connect(
      {asio::ip::make_address_v4("127.0.0.1"), static_cast<unsigned short>(port)}, kTuple);
  if (connect_error) co_return;
  if (connect) {
    co_await asio::async_write(*client, asio::buffer(state->established), kTuple);
  } else {
    // Forward the first request in origin form; later ones on this
    // connection are relayed as they come.
    request.target(path);
    co_await beast_http::async_write(*upstream, request, kTuple);
  }
  co_await (relay(client, upstream) && relay(upstream, client));
}

asio::awaitable<void> proxy_accept_loop(std::shared_ptr<TestProxy::State> state) {
  for (;;) {
    auto [error, socket] = co_await state->acceptor.async_accept(kTuple);
    if (error) co_return;
    auto client = std::make_shared<tcp::socket>(std::move(socket));
    state->sockets.push_back(client);
    asio::co_spawn(state->acceptor.get_executor(), proxy_session(state, client), rethrow);
  }
}

}  // namespace

TestProxy::TestProxy(asio::io_context& io, int status) : state_(std::make_shared<State>(io)) {
  state_->status = status;
  state_->port = listen_on_loopback(state_->acceptor);
  asio::co_spawn(io, proxy_accept_loop(state_), rethrow);
}

TestProxy::~TestProxy() { stop(); }
int TestProxy::port() const { return state_->port; }
std::string TestProxy::url() const { return "http://127.0.0.1:" + std::to_string(state_->port); }
const std::vector<std::string>& TestProxy::targets() const { return state_->targets; }
void TestProxy::answer_connect_with(std::string bytes) { state_->established = std::move(bytes); }

void TestProxy::stop() {
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& weak : state_->sockets) {
    if (auto socket = weak.lock()) socket->close(ignored);
  }
  state_->sockets.clear();
}

HttpResult send_sync(asio::io_context& io, HttpTransport& transport, HttpRequest request,
                     std::function<void()> after) {
  return run_task(io, transport.send(std::move(request)), std::move(after));
}

const HttpResponse& expect_response(const HttpResult& result) {
  if (const auto* error = std::get_if<HttpError>(&result)) {
    FAIL("expected a response, got error " << http_error_kind_name(error->kind) << ": " << error->message);
  }
  return std::get<HttpResponse>(result);
}

const HttpError& expect_error(const HttpResult& result) {
  if (const auto* response = std::get_if<HttpResponse>(&result)) {
    FAIL("expected an error, got status " << response->status);
  }
  return std::get<HttpError>(result);
}

}  // namespace flow::test
