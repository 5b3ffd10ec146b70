#pragma once
// Dotted JSON paths as declared in datasources: "data.items[0].id".

#include <optional>
#include <string_view>

#include "engine/value.hpp"

namespace flow {

/// The value at `path` inside `root`, or nullptr when any step is missing.
const Json* json_path_get(const Json& root, std::string_view path);
/// Sets the value at `path`, creating objects/arrays on the way. Throws RunError on a bad path.
void json_path_set(Json& root, std::string_view path, Json value);
/// Whether `inner` names the place `outer` names or a place inside it ("a" and
/// "a", "a" and "a.c", "items[0]" and "items[0].id"), read as json_path_set
/// reads them. False when either is not a path json_path_set takes.
bool json_path_within(std::string_view outer, std::string_view inner);

/// application/x-www-form-urlencoded / RFC 3986 percent-encoding of one component.
std::string url_encode(std::string_view text);
/// Its inverse ('+' stays '+'). Throws RunError at a '%' without two hex digits.
std::string url_decode(std::string_view text);

}  // namespace flow
