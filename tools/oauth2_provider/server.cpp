#include "tools/oauth2_provider/server.hpp"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "engine/http/awaitable.hpp"
#include "tools/oauth2_provider/routes.hpp"
#include "tools/oauth2_provider/say.hpp"

namespace oauth2_provider {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using flow::http::kTuple;
constexpr auto kIdleTimeout = 30s;

void rethrow(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

Response answer(const Request& request, Server* server) {
  std::string log_line;
  Response response;
  try {
    response = handle_request(request, server->state(), server->options(), log_line);
  } catch (const std::exception& error) {
    response = {beast_http::status::internal_server_error, request.version()};
    response.body() = R"({"error":"server_error"})";
    response.prepare_payload();
    log_line += std::string(" internal error: ") + error.what();
  }
  if (server->options().log_requests || response.result_int() >= 500) {
    say(log_line, " -> ", response.result_int());
  }
  return response;
}

/// Request/response loop on one connection until the peer closes, an error, or
/// a response without keep-alive. `stream` is owned by the caller's frame.
template <typename Stream>
asio::awaitable<void> serve_requests(Stream& stream, Server* server) {
  beast::flat_buffer buffer;
  for (;;) {
    // Read a request (or wait for the next one on a kept-alive connection).
    beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
    Request request;
    auto [read_error, read] = co_await beast_http::async_read(stream, buffer, request, kTuple);
    if (read_error) co_return;
    if (int delay = server->state().faults.delay_ms; delay > 0) {
      // Said on arrival, not with the answer: a test waits for this line to know
      // its request is in and the answer not yet out (the path only: no query).
      say(request.method_string(), " ", request.target().substr(0, request.target().find('?')), " arrived; answering in ",
          delay, " ms (fault)");
      asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(delay));
      co_await timer.async_wait(asio::use_awaitable);
    }
    Response response = answer(request, server);
    // Write the response.
    beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
    auto [write_error, written] = co_await beast_http::async_write(stream, response, kTuple);
    if (write_error || !response.keep_alive()) co_return;
  }
}

asio::awaitable<void> plain_session(tcp::socket socket, Server* server) {
  beast::tcp_stream stream(std::move(socket));
  co_await serve_requests(stream, server);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> tls_session(tcp::socket socket, Server* server) {
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *server->tls());
  // TLS handshake (a client that rejects our certificate ends here).
  beast::get_lowest_layer(stream).expires_after(10s);
  auto [handshake_error] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
  if (handshake_error) {
    say("TLS handshake failed: ", handshake_error.message());
    co_return;
  }
  co_await serve_requests(stream, server);
  // TLS close_notify, bounded.
  beast::get_lowest_layer(stream).expires_after(5s);
  co_await stream.async_shutdown(kTuple);
}

asio::awaitable<void> accept_loop(tcp::acceptor* acceptor, Server* server) {
  for (;;) {
    auto [error, socket] = co_await acceptor->async_accept(kTuple);
    if (error == asio::error::operation_aborted || !acceptor->is_open()) co_return;
    if (error) continue;
    ++server->state().stats.connections_accepted;
    if (server->state().faults.drop_next_n_connections > 0) {
      --server->state().faults.drop_next_n_connections;
      say("dropping a connection (fault)");
      continue;  // the socket closes as it goes out of scope
    }
    auto executor = acceptor->get_executor();
    if (server->tls()) {
      asio::co_spawn(executor, tls_session(std::move(socket), server), rethrow);
    } else {
      asio::co_spawn(executor, plain_session(std::move(socket), server), rethrow);
    }
  }
}

}  // namespace

Server::Server(asio::io_context& io, const Options& options, TokenState& state,
               std::shared_ptr<asio::ssl::context> tls)
    : io_(io), options_(options), state_(state), tls_(std::move(tls)), acceptor_(io) {
  tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), static_cast<unsigned short>(options.port));
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
}

unsigned short Server::port() const { return acceptor_.local_endpoint().port(); }

void Server::start() { asio::co_spawn(io_, accept_loop(&acceptor_, this), rethrow); }

void Server::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

}  // namespace oauth2_provider
