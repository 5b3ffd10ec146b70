#pragma once
// The provider's HTTP(S) server: accepts on 127.0.0.1 only, one coroutine per
// connection, keep-alive, and the connection/time faults (drop, delay).

#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "tools/oauth2_provider/options.hpp"
#include "tools/oauth2_provider/token_state.hpp"

namespace oauth2_provider {

class Server {
 public:
  /// Binds 127.0.0.1:options.port (0: ephemeral). `tls` null: plain HTTP.
  Server(boost::asio::io_context& io, const Options& options, TokenState& state,
         std::shared_ptr<boost::asio::ssl::context> tls);

  unsigned short port() const;
  /// Starts accepting; a failure inside a connection's coroutine is rethrown
  /// from io_context::run, never swallowed.
  void start();
  /// Stops accepting; connections in progress end with the io_context.
  void stop();

  const Options& options() const { return options_; }
  TokenState& state() { return state_; }
  boost::asio::ssl::context* tls() { return tls_.get(); }

 private:
  boost::asio::io_context& io_;
  const Options& options_;
  TokenState& state_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace oauth2_provider
