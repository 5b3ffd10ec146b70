#include "stdlib/base64.hpp"

#include <array>
#include <cstdint>

namespace flow::stdlib {
namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string_view characters(Base64Alphabet alphabet) {
  return alphabet == Base64Alphabet::url ? kUrl : kStandard;
}

/// 6-bit value of each character, -1 for characters outside the alphabet.
std::array<int, 256> decoding_table(Base64Alphabet alphabet) {
  std::array<int, 256> table{};
  table.fill(-1);
  const auto chars = characters(alphabet);
  for (std::size_t i = 0; i < chars.size(); ++i) {
    table[static_cast<unsigned char>(chars[i])] = static_cast<int>(i);
  }
  return table;
}

}  // namespace

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet, bool padded) {
  const auto chars = characters(alphabet);
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      group = (group << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    }
    for (std::size_t k = 0; k < n + 1; ++k) out += chars[(group >> (18 - 6 * k)) & 0x3F];
    if (padded) out.append(3 - n, '=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet) {
  static const auto kStandardTable = decoding_table(Base64Alphabet::standard);
  static const auto kUrlTable = decoding_table(Base64Alphabet::url);
  const auto& table = alphabet == Base64Alphabet::url ? kUrlTable : kStandardTable;
  if (text.size() % 4 == 0 && text.ends_with("==")) {
    text.remove_suffix(2);
  } else if (text.size() % 4 == 0 && text.ends_with('=')) {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const int value = table[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  // Leftover bits must be zero: "QR==" and "QQ==" are not both the letter A.
  if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace flow::stdlib
