#pragma once
// Base64 (RFC 4648 section 4) and base64url (section 5), shared by the encoding
// and tokens modules. Internal to stdlib/.

#include <optional>
#include <string>
#include <string_view>

namespace flow::stdlib {

enum class Base64Alphabet { standard, url };

/// Encodes bytes; `padded` appends '=' to a multiple of 4 characters.
std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet, bool padded);

/// Decodes text in `alphabet`, with or without '=' padding; nullopt on any other
/// character, misplaced padding, an impossible length or non-zero trailing bits.
std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet);

}  // namespace flow::stdlib
