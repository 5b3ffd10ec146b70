#include "engine/http/errors.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace flow::http {

namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

HttpErrorKind kind_of(const boost::system::error_code& ec) {
  if (ec == boost::beast::error::timeout) return HttpErrorKind::timeout;
  if (ec == asio::error::connection_refused) return HttpErrorKind::refused;
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again ||
      ec == asio::error::no_data || ec.category() == asio::error::get_netdb_category() ||
      ec.category() == asio::error::get_addrinfo_category()) {
    return HttpErrorKind::dns;
  }
  if (ec == beast_http::error::body_limit || ec == beast_http::error::header_limit ||
      ec == beast_http::error::buffer_overflow) {
    return HttpErrorKind::too_large;
  }
  if (ec == asio::ssl::error::stream_truncated) return HttpErrorKind::network;
  if (ec.category() == asio::error::get_ssl_category()) return HttpErrorKind::tls;
  if (ec == beast_http::error::end_of_stream || ec == beast_http::error::partial_message) {
    return HttpErrorKind::network;
  }
  if (ec.category() == beast_http::make_error_code(beast_http::error::bad_version).category()) {
    return HttpErrorKind::malformed;
  }
  return HttpErrorKind::network;
}

std::string describe(const boost::system::error_code& ec) {
  if (ec == boost::beast::error::timeout) return "timed out";
  if (ec == beast_http::error::partial_message) return "connection closed before the end of the body";
  if (ec == beast_http::error::end_of_stream) return "connection closed before any response";
  if (ec == asio::ssl::error::stream_truncated) return "TLS stream truncated (no close_notify)";
  if (ec == beast_http::error::body_limit) return "response body exceeds the size limit";
  if (ec == beast_http::error::header_limit) return "response headers exceed the size limit";
  return ec.message();
}

}  // namespace

HttpError classify_error(const boost::system::error_code& ec, std::string_view step,
                         std::string_view where) {
  HttpError error;
  error.kind = kind_of(ec);
  error.message = std::string(step) + " " + std::string(where) + ": " + describe(ec);
  return error;
}

}  // namespace flow::http
