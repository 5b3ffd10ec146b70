#include "engine/secret_scrub.hpp"

#include <algorithm>
#include <cctype>

#include "engine/json_path.hpp"
#include "grammar/credential_name.hpp"

namespace flow {

namespace {

/// `text` as the inside of a JSON string; `ascii`: non-ASCII as \u escapes
/// (Python's json.dumps, the default of many servers).
std::string json_escaped(const std::string& text, bool ascii) {
  const auto quoted = Json(text).dump(-1, ' ', ascii, Json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

std::string lower_hex_escapes(std::string encoded) {
  for (std::size_t at = encoded.find('%'); at != std::string::npos; at = encoded.find('%', at + 1)) {
    for (std::size_t i = at + 1; i <= at + 2 && i < encoded.size(); ++i)
      encoded[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(encoded[i])));
  }
  return encoded;
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

/// Every spelling of `secret` an echo of the request may hold (see secret_texts),
/// each replaced by `mask`.
void add_spellings(std::vector<SecretText>& out, const std::string& secret, const std::string& mask) {
  if (secret.size() < kMinSecretLength) return;
  const auto encoded = url_encode(secret);
  const auto once = json_escaped(secret, false);
  for (auto spelling : {secret, encoded, lower_hex_escapes(encoded), replaced(encoded, "%20", "+"), once,
                        json_escaped(once, false), json_escaped(secret, true), json_escaped(once, true),
                        replaced(once, "/", "\\/")}) {
    out.push_back({std::move(spelling), mask});
  }
}

}  // namespace

std::vector<SecretText> secret_texts(const std::map<std::string, Value>& fields, const std::vector<std::string>& sent) {
  std::vector<SecretText> secrets;
  for (const auto& [name, value] : fields) {
    if (value.secret && !value.is_null()) {
      const auto secret = to_text(value);
      add_spellings(secrets, secret, is_whole_secret(value) ? mask_secret(secret) : std::string(kSecretMask));
    }
  }
  // A request part's wire value is masked without the tail a field's mask
  // shows: its last characters may encode the secret's own (the base64 of
  // `client:password` in a Basic header ends with the password's).
  for (const auto& text : sent) add_spellings(secrets, text, std::string(kSecretMask));
  // Longest first; of equal texts the one masked with its tail (a secret
  // field's, before a request part's or a text field's copy) is kept.
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) {
    if (a.text.size() != b.text.size()) return a.text.size() > b.text.size();
    return a.text != b.text ? a.text < b.text : a.mask.size() > b.mask.size();
  });
  const auto same = [](const SecretText& a, const SecretText& b) { return a.text == b.text; };
  secrets.erase(std::unique(secrets.begin(), secrets.end(), same), secrets.end());
  return secrets;
}

std::string scrub_secrets(std::string text, const std::vector<SecretText>& secrets) {
  for (const auto& secret : secrets) {
    for (auto at = text.find(secret.text); at != std::string::npos;) {
      text.replace(at, secret.text.size(), secret.mask);
      at = text.find(secret.text, at + secret.mask.size());
    }
  }
  return text;
}

std::string scrub_secrets(std::string text, const std::map<std::string, Value>& fields) {
  return scrub_secrets(std::move(text), secret_texts(fields));
}

std::string mask_named_credentials(std::string text) {
  const auto word_char = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '.'; };
  const auto space = [&text](std::size_t at) { return at < text.size() && (text[at] == ' ' || text[at] == '\t'); };
  for (std::size_t at = 0; at < text.size();) {
    if (!word_char(static_cast<unsigned char>(text[at]))) {
      ++at;
      continue;
    }
    const std::size_t start = at;
    std::size_t end = at;
    while (end < text.size() && word_char(static_cast<unsigned char>(text[end]))) ++end;
    const bool credential = is_credential_name(std::string_view(text).substr(at, end - at));
    at = end;
    if (!credential) continue;
    // A quoted name then ':' (JSON), or a name then '=' (a form): its value
    // follows. Not prose's "token: ..."
    const bool quoted = start > 0 && text[start - 1] == '"' && end < text.size() && text[end] == '"';
    std::size_t value = end + quoted;
    while (space(value)) ++value;
    if (value >= text.size() || text[value] != (quoted ? ':' : '=')) continue;
    ++value;
    while (space(value)) ++value;
    std::size_t value_end = value;
    if (value < text.size() && text[value] == '"') {  // a JSON string, escapes and all
      ++value;
      value_end = value;
      while (value_end < text.size() && text[value_end] != '"') value_end += text[value_end] == '\\' ? 2 : 1;
      value_end = std::min(value_end, text.size());
    } else {
      while (value_end < text.size() && std::string_view("&,;} \t\r\n").find(text[value_end]) == std::string_view::npos)
        ++value_end;
    }
    constexpr std::string_view kMask = "••••";
    if (value_end == value || std::string_view(text).substr(value).starts_with(kMask)) continue;  // empty, or masked already
    text.replace(value, value_end - value, kMask);
    at = value + kMask.size();
  }
  return text;
}

std::vector<std::string> credential_members(const Json& answer) {
  std::vector<std::string> found;
  std::vector<const Json*> objects{&answer};
  while (!objects.empty()) {
    const Json* object = objects.back();
    objects.pop_back();
    if (!object->is_object()) continue;
    for (const auto& [name, value] : object->items()) {
      if (value.is_object()) {
        objects.push_back(&value);
      } else if (value.is_string() && name != "token_type" && is_credential_name(name)) {
        auto text = value.get<std::string>();
        if (text.size() >= kMinSecretLength && std::find(found.begin(), found.end(), text) == found.end())
          found.push_back(std::move(text));
      }
    }
  }
  return found;
}

bool contains_secret(const std::string& text, const std::vector<SecretText>& secrets) {
  return std::any_of(secrets.begin(), secrets.end(),
                     [&text](const SecretText& secret) { return text.find(secret.text) != std::string::npos; });
}

}  // namespace flow
