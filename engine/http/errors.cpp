#include "engine/http/errors.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

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

/// What a TLS alert from the server says about our client certificate, which
/// OpenSSL's reason leaves to guess ("tlsv1 alert unknown ca" reads like a
/// ca_file problem); "" for any other error. Certificate alerts a server sends
/// can only be about the client's certificate.
std::string client_certificate_hint(const boost::system::error_code& ec) {
  if (ec.category() != asio::error::get_ssl_category()) return "";
  switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return "the server requires a client certificate (client_cert / client_key)";
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
      return "the server rejected the client certificate (client_cert): not issued by a CA it trusts";
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
      return "the server rejected the client certificate (client_cert): expired";
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
      return "the server rejected the client certificate (client_cert): revoked";
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
      return "the server rejected the client certificate (client_cert)";
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:  // TLS 1.2 has no "certificate required"
      return "the server may require a client certificate (client_cert / client_key), or shares no protocol "
             "version or cipher with flow";
    default:
      return "";
  }
}

std::string describe(const boost::system::error_code& ec, const ResponseSizes& sizes) {
  if (ec == boost::beast::error::timeout) return "timed out";
  if (ec == beast_http::error::partial_message) return "connection closed before the end of the body";
  if (ec == beast_http::error::end_of_stream) return "connection closed before any response";
  if (ec == asio::ssl::error::stream_truncated) return "TLS stream truncated (no close_notify)";
  if (ec == beast_http::error::body_limit && sizes.max_body_bytes != 0) {
    const std::string declared = sizes.content_length ? " of " + std::to_string(*sizes.content_length) + " bytes" : "";
    return "response body" + declared + " " + exceeds_max_response_bytes(sizes.max_body_bytes);
  }
  if (ec == beast_http::error::header_limit && sizes.max_header_bytes != 0) {
    return "response headers exceed " + std::to_string(sizes.max_header_bytes) +
           " bytes (flow's fixed limit for an answer's headers)";
  }
  if (ec == beast_http::error::body_limit) return "response body exceeds the size limit";
  if (ec == beast_http::error::header_limit) return "response headers exceed the size limit";
  return ec.message();
}

}  // namespace

HttpError classify_error(const boost::system::error_code& ec, std::string_view step,
                         std::string_view where, const ResponseSizes& sizes) {
  HttpError error;
  error.kind = kind_of(ec);
  error.message = std::string(step) + " " + std::string(where) + ": " + describe(ec, sizes);
  if (auto hint = client_certificate_hint(ec); !hint.empty()) error.message += ": " + hint;
  return error;
}

std::string exceeds_max_response_bytes(std::size_t max_bytes) {
  return "exceeds max_response_bytes (" + std::to_string(max_bytes) +
         " bytes; set max_response_bytes on the datasource to allow more)";
}

}  // namespace flow::http
