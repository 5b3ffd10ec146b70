#pragma once
// tests/http's scripted server on a thread of its own while a flow command
// runs: for answers the provider never gives (hostile bytes, an echo).

#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "http/test_server.hpp"

namespace flow::e2e {

class ServerThread {
 public:
  /// Answers every request as `script` says.
  explicit ServerThread(test::Script script) : server_(io_, std::move(script)), thread_([this] { io_.run(); }) {}
  /// Answers every request with `reply`.
  explicit ServerThread(test::Reply reply)
      : ServerThread([reply](const test::TestRequest&, const test::RequestInfo&) { return reply; }) {}
  ~ServerThread() {
    boost::asio::post(io_, [this] {
      server_.stop();
      io_.stop();
    });
    thread_.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  test::TestServer server_;
  std::thread thread_;
};

}  // namespace flow::e2e
