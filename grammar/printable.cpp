#include "grammar/printable.hpp"

#include <cstdint>

namespace flow {

namespace {

constexpr char kHex[] = "0123456789abcdef";

/// Appends `prefix` and two hex digits of `byte`: \x1b, \u009b.
void append_hex(std::string& out, std::string_view prefix, unsigned char byte) {
  out += prefix;
  out += kHex[byte >> 4];
  out += kHex[byte & 0xf];
}

/// Length of the UTF-8 sequence at `at` (2 to 4), or 0 when the bytes there are
/// not one: a stray continuation byte, a bad lead, a short or overlong sequence.
std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  const std::size_t length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3
                             : lead >= 0xf0 && lead <= 0xf4                                  ? 4
                                                                                             : 0;
  if (length == 0 || at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i)
    if ((byte(i) & 0xc0) != 0x80) return 0;
  if (lead == 0xe0 && byte(1) < 0xa0) return 0;  // overlong
  if (lead == 0xf0 && byte(1) < 0x90) return 0;  // overlong
  if (lead == 0xf4 && byte(1) > 0x8f) return 0;  // past U+10FFFF
  return length;
}

/// Appends the ASCII byte `c` (below 0x80), escaped when it is a control character.
void append_ascii(std::string& out, char c, Layout layout) {
  if ((c == '\n' || c == '\t') && layout == Layout::ours) {
    out += c;
    return;
  }
  switch (c) {
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) append_hex(out, "\\x", static_cast<unsigned char>(c));
  else out += c;
}

}  // namespace

std::string printable(std::string_view text, Layout layout) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    // A run of plain printable ASCII, the whole of most texts, is copied at once.
    std::size_t plain = at;
    while (plain < text.size() && text[plain] >= 0x20 && text[plain] < 0x7f) ++plain;
    out.append(text.data() + at, plain - at);
    if (plain == text.size()) break;
    at = plain;
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x80) {
      append_ascii(out, text[at++], layout);
      continue;
    }
    const std::size_t length = utf8_length(text, at);
    if (length == 0) {
      append_hex(out, "\\x", byte);
      ++at;
    } else if (byte == 0xc2 && static_cast<unsigned char>(text[at + 1]) < 0xa0) {  // C1: U+0080..U+009F
      append_hex(out, "\\u00", static_cast<unsigned char>(text[at + 1]));
      at += 2;
    } else {
      out.append(text.substr(at, length));
      at += length;
    }
  }
  return out;
}

std::string quoted_text(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return printable(out, Layout::one_line) + "\"";
}

std::string shortened(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  // Back to the lead byte of the character the limit falls in: at most 3
  // continuation bytes, so a text that is not UTF-8 is not cut far short.
  const auto continues = [&](std::size_t at) { return (static_cast<unsigned char>(text[at]) & 0xc0) == 0x80; };
  std::size_t cut = limit;
  while (cut > 0 && limit - cut < 3 && continues(cut)) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace flow
