#include "grammar/date_reader.hpp"

#include <cctype>

namespace flow {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool DateReader::eat(char c) {
  if (done() || peek() != c) return false;
  ++pos_;
  return true;
}

bool DateReader::digits(int count, int& out) {
  if (text_.size() - pos_ < static_cast<std::size_t>(count)) return false;
  out = 0;
  for (int i = 0; i < count; ++i) {
    const char c = text_[pos_ + static_cast<std::size_t>(i)];
    if (!is_digit(c)) return false;
    out = out * 10 + (c - '0');
  }
  pos_ += static_cast<std::size_t>(count);
  return true;
}

bool DateReader::number(int most, int& out) {
  int seen = 0;
  out = 0;
  while (seen < most && is_digit(peek())) {
    out = out * 10 + (peek() - '0');
    ++seen;
    ++pos_;
  }
  return seen > 0;
}

bool DateReader::fraction(int& ms) {
  int seen = 0;
  ms = 0;
  while (is_digit(peek())) {
    if (seen < 3) ms = ms * 10 + (peek() - '0');
    ++seen;
    ++pos_;
  }
  for (int i = seen; i < 3; ++i) ms *= 10;
  return seen > 0;
}

bool DateReader::offset(std::optional<std::chrono::minutes>& out) {
  if (eat('Z') || eat('z')) {
    out = std::chrono::minutes{0};
    return true;
  }
  const int sign = peek() == '-' ? -1 : 1;
  if (!eat('+') && !eat('-')) return true;
  int h = 0, m = 0;
  if (!digits(2, h)) return false;
  if (eat(':')) {
    if (!digits(2, m)) return false;
  } else if (is_digit(peek())) {  // HHMM; HH alone when no digit follows
    if (!digits(2, m)) return false;
  }
  if (h > 23 || m > 59) return false;
  out = std::chrono::minutes{sign * (h * 60 + m)};
  return true;
}

void DateReader::skip_spaces() {
  while (!done() && std::isspace(static_cast<unsigned char>(peek()))) ++pos_;
}

std::string_view DateReader::word() {
  const auto start = pos_;
  while (!done() && !std::isspace(static_cast<unsigned char>(peek()))) ++pos_;
  return text_.substr(start, pos_ - start);
}

int DateReader::name(std::span<const std::string_view> names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (const std::size_t length : {names[i].size(), std::size_t{3}}) {
      if (starts_with_folded(names[i].substr(0, length))) {
        pos_ += length;
        return static_cast<int>(i);
      }
    }
  }
  return -1;
}

std::optional<std::string_view> DateReader::until(char end) {
  const auto stop = text_.find(end, pos_);
  if (stop == std::string_view::npos) return std::nullopt;
  const auto part = text_.substr(pos_, stop - pos_);
  pos_ = stop + 1;
  return part;
}

bool DateReader::starts_with_folded(std::string_view lower) const {
  if (text_.size() - pos_ < lower.size()) return false;
  for (std::size_t i = 0; i < lower.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text_[pos_ + i])) != lower[i]) return false;
  }
  return true;
}

}  // namespace flow
