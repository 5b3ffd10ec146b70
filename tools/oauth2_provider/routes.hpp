#pragma once
// The provider's endpoints as a function from request to response, so the
// protocol logic needs no socket. Faults that act on connections or time
// (drop, delay) live in server.cpp.

#include <map>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "tools/oauth2_provider/token_state.hpp"

namespace oauth2_provider {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

/// POST /oauth/token, GET /api/resource, GET /stats, GET|POST /admin/faults.
/// Also writes one log line (tokens masked) to `log_line`.
Response handle_request(const Request& request, TokenState& state, const Options& options,
                        std::string& log_line);

/// application/x-www-form-urlencoded -> map (later duplicates win). Throws
/// std::invalid_argument on a bad %-escape.
std::map<std::string, std::string> parse_form(std::string_view body);

}  // namespace oauth2_provider
