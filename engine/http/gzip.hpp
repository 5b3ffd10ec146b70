#pragma once
// Decoding of `Content-Encoding: gzip` bodies, bounded like the raw body.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "engine/http_transport.hpp"

namespace flow::http {

/// Inflates a gzip member (or several). `too_large` when the decoded size would
/// pass `max_bytes` (a small body may expand a thousandfold), `malformed` when
/// the data is not valid gzip. Writes the result into `out`.
std::optional<HttpError> gunzip(std::string_view compressed, std::size_t max_bytes, std::string& out);

}  // namespace flow::http
