#pragma once
// An io_context and a real Beast transport on it, for tests that send requests.

#include <boost/asio/io_context.hpp>

#include "engine/http/beast_transport.hpp"
#include "http/test_server.hpp"

namespace flow::test {

struct Client {
  explicit Client(BeastTransportOptions options = {})
      : transport(make_beast_transport(io.get_executor(), std::move(options))) {}

  /// Sends and runs to completion; `after` runs once the response is in.
  HttpResult send(HttpRequest request, std::function<void()> after = {}) {
    return send_sync(io, *transport, std::move(request), std::move(after));
  }

  boost::asio::io_context io;
  std::unique_ptr<HttpTransport> transport;
};

inline HttpRequest get(std::string url) {
  HttpRequest request;
  request.method = "GET";
  request.url = std::move(url);
  return request;
}

inline HttpRequest post_form(std::string url, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = std::move(body);
  return request;
}

}  // namespace flow::test
