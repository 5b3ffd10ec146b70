#pragma once
// Turns Asio/Beast/OpenSSL error codes into the engine's HttpError kinds.

#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "engine/http_transport.hpp"

namespace flow::http {

/// `step` says what was being done ("connecting to", "reading the response from"),
/// `where` is the origin's authority. Never given request data, so never a secret.
HttpError classify_error(const boost::system::error_code& ec, std::string_view step,
                         std::string_view where);

}  // namespace flow::http
