#include "bench/refresh_client.hpp"

#include <stdexcept>

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "engine/json_path.hpp"

namespace flow::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr std::chrono::seconds kStepTimeout{10};
}  // namespace

RawRefreshClient::RawRefreshClient(asio::any_io_executor executor, int port, ClientCredentials credentials)
    : stream_(std::move(executor)), port_(port), credentials_(std::move(credentials)) {}

asio::awaitable<void> RawRefreshClient::connect() {
  // Connect to the provider (127.0.0.1 only: no resolver step).
  stream_.expires_after(kStepTimeout);
  co_await stream_.async_connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"),
                                               static_cast<unsigned short>(port_)),
                                 asio::use_awaitable);
}

asio::awaitable<std::string> RawRefreshClient::refresh(std::string refresh_token) {
  // The seed example's request body, field for field.
  std::string form = "grant_type=refresh_token&client_id=" + url_encode(credentials_.client_id) +
                     "&client_secret=" + url_encode(credentials_.client_secret) +
                     "&redirect_url=" + url_encode(credentials_.redirect_url) +
                     "&refresh_token=" + url_encode(refresh_token);
  std::string body = co_await exchange("POST /oauth/token", std::move(form));
  auto answer = nlohmann::json::parse(body);
  co_return answer.at("refresh_token").get<std::string>();
}

asio::awaitable<nlohmann::json> RawRefreshClient::stats() {
  std::string body = co_await exchange("GET /stats", "");
  co_return nlohmann::json::parse(body);
}

asio::awaitable<std::string> RawRefreshClient::exchange(std::string method_and_path, std::string form_body) {
  const bool post = method_and_path.starts_with("POST ");
  beast_http::request<beast_http::string_body> request{post ? beast_http::verb::post : beast_http::verb::get,
                                                       method_and_path.substr(method_and_path.find(' ') + 1), 11};
  request.set(beast_http::field::host, "127.0.0.1:" + std::to_string(port_));
  request.set(beast_http::field::accept, "application/json");
  if (post) request.set(beast_http::field::content_type, "application/x-www-form-urlencoded");
  request.body() = std::move(form_body);
  request.prepare_payload();
  // Send the request.
  stream_.expires_after(kStepTimeout);
  co_await beast_http::async_write(stream_, request, asio::use_awaitable);
  // Read the response (the connection stays open for the next one).
  beast_http::response<beast_http::string_body> response;
  stream_.expires_after(kStepTimeout);
  co_await beast_http::async_read(stream_, buffer_, response, asio::use_awaitable);
  if (response.result() != beast_http::status::ok) {
    throw std::runtime_error(method_and_path + " answered " + std::to_string(response.result_int()) + ": " +
                             response.body());
  }
  co_return response.body();
}

}  // namespace flow::bench
