#include "grammar/odd_character.hpp"

#include <cstdint>
#include <cstdio>

namespace flow::syntax {
namespace {

struct Decoded {
  std::uint32_t code = 0;
  std::size_t length = 0;  // 0: not UTF-8
};

/// The UTF-8 character at `at` (a lead byte and its continuation bytes).
Decoded decode(std::string_view text, std::size_t at) {
  const auto byte = static_cast<unsigned char>(text[at]);
  const std::size_t length = byte >= 0xf0 && byte < 0xf8 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 ? 2 : 0;
  if (length == 0 || at + length > text.size()) return {};
  std::uint32_t code = byte & (0x7f >> length);
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xc0) != 0x80) return {};
    code = (code << 6) | (next & 0x3f);
  }
  return {code, length};
}

/// What a reader must know of `code`: what it looks like, or what to type.
std::string_view looks_like(std::uint32_t code) {
  switch (code) {
    case 0x00a0: case 0x2007: case 0x202f: return "a no-break space, which looks like a space: type a plain space";
    case 0x200b: case 0x200c: case 0x200d: case 0x2060:
    case 0xfeff: return "an invisible character (a zero-width space or joiner): delete it";
    case 0x201c: case 0x201d: case 0x201e: return "a curly quote: a string is written in straight double quotes \"...\"";
    case 0x2018: case 0x2019: return "a curly quote: a string is written in straight double quotes \"...\"";
    case 0x2013: case 0x2014: case 0x2212: return "a dash: minus is written -";
    default: return "";
  }
}

std::string hex(std::uint32_t value, int digits) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%0*X", digits, static_cast<unsigned>(value));
  return buffer;
}

/// "; found ..." for the character at `at`, or "" when it is plain ASCII.
std::string describe(std::string_view text, std::size_t at) {
  const auto byte = static_cast<unsigned char>(text[at]);
  if (byte == 0) return "; found a NUL byte (\\x00), which shows as nothing: delete it";
  if (byte < 0x20 && byte != '\n' && byte != '\r' && byte != '\t') {
    return "; found the control byte \\x" + hex(byte, 2) + ", which shows as nothing: delete it";
  }
  if (byte == 0x7f) return "; found the control byte \\x7F, which shows as nothing: delete it";
  if (byte < 0x80) return "";
  const auto decoded = decode(text, at);
  if (decoded.length == 0) return "; found the byte \\x" + hex(byte, 2) + ", which is not UTF-8";
  const auto what = looks_like(decoded.code);
  return "; found U+" + hex(decoded.code, 4) + (what.empty() ? std::string(", which Flow reads only in strings and comments")
                                                              : ", " + std::string(what));
}

bool word_byte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

}  // namespace

std::string odd_character_hint(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return "";
  if (auto here = describe(text, offset); !here.empty()) return here;
  std::size_t after = offset;
  while (after < text.size() && word_byte(static_cast<unsigned char>(text[after]))) ++after;
  return after < text.size() && after > offset ? describe(text, after) : "";
}

std::string control_byte_escape(std::string_view text, std::size_t offset) {
  return "\\u" + hex(static_cast<unsigned char>(text[offset]), 4);
}

}  // namespace flow::syntax
