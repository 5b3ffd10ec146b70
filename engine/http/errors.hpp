#pragma once
// Turns Asio/Beast/OpenSSL error codes into the engine's HttpError kinds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "engine/http_transport.hpp"

namespace flow::http {

/// What an answer was read within, and what it declared: the message for a
/// limit it exceeds names the limit and how to change it. 0: not known.
struct ResponseSizes {
  std::size_t max_body_bytes = 0;    // the datasource's max_response_bytes
  std::size_t max_header_bytes = 0;  // the parser's header limit (fixed, no setting)
  std::optional<std::uint64_t> content_length;  // the answer's, once its headers were read
};

/// `step` says what was being done ("connecting to", "reading the response from"),
/// `where` is the origin's authority. Never given request data, so never a secret.
HttpError classify_error(const boost::system::error_code& ec, std::string_view step,
                         std::string_view where, const ResponseSizes& sizes = {});

/// "exceeds max_response_bytes (1048576 bytes; set max_response_bytes on the
/// datasource to allow more)": the one wording for a body over the cap, as
/// it came or as it decodes (gzip).
std::string exceeds_max_response_bytes(std::size_t max_bytes);

}  // namespace flow::http
