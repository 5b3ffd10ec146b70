#pragma once
// The ceiling of the refresh benchmark: a minimal Beast client on one
// keep-alive connection to the local provider, sending the same form POST the
// seed example's GetRefreshAuthToken sends, plus GET /stats. Plain HTTP on
// 127.0.0.1 only (the provider is started without TLS).

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <nlohmann/json.hpp>

namespace flow::bench {

/// What the token endpoint needs besides the refresh token.
struct ClientCredentials {
  std::string client_id;
  std::string client_secret;
  std::string redirect_url;
};

/// One connection to 127.0.0.1:port, opened by connect() and kept alive.
class RawRefreshClient {
 public:
  RawRefreshClient(boost::asio::any_io_executor executor, int port, ClientCredentials credentials);

  /// Opens the connection (bounded by a timeout).
  boost::asio::awaitable<void> connect();
  /// POSTs grant_type=refresh_token with `refresh_token`; returns the rotated
  /// refresh token of the 200 answer. Throws std::runtime_error on anything else.
  boost::asio::awaitable<std::string> refresh(std::string refresh_token);
  /// GET /stats on this connection.
  boost::asio::awaitable<nlohmann::json> stats();

 private:
  boost::asio::awaitable<std::string> exchange(std::string method_and_path, std::string form_body);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  int port_;
  ClientCredentials credentials_;
};

}  // namespace flow::bench
