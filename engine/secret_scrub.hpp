#pragma once
// The second line of defence behind the taint bit: text the engine did not
// build (an HTTP error body that echoes the request, a transport's message) is
// scrubbed of every secret the run knows, in every spelling a server plausibly
// echoes it in, before it is shown, logged, stored or mapped into a field.

#include <map>
#include <string>
#include <vector>

#include "engine/value.hpp"

namespace flow {

/// Secrets shorter than this are not searched for: they would mask ordinary words.
inline constexpr std::size_t kMinSecretLength = 4;

/// One spelling of a secret, and the mask it is replaced with: the mask of the
/// secret itself, so that every spelling of it is shown alike (`••••4567`);
/// for a request part's wire value, and a secret not known whole (a field not
/// declared `secret` holding a tainted text: is_whole_secret()), the mask
/// alone (`••••`).
struct SecretText {
  std::string text;
  std::string mask;
};

/// The spellings of every secret value of `fields` and of every text in `sent`
/// (the wire values of a request's secret parts, HttpRequest::secrets): as it
/// is, URL/form-encoded (either hex case, a space as `%20` or `+`), and
/// JSON-escaped once and twice (a JSON body quoted inside a JSON answer), also
/// as ASCII-only JSON (`\u00e9`) and with `\/`. Longest first, each once, so a
/// secret that contains another (a token and its successor "tok" / "tok.2") is
/// masked whole. Secrets shorter than kMinSecretLength are left out.
std::vector<SecretText> secret_texts(const std::map<std::string, Value>& fields,
                                     const std::vector<std::string>& sent = {});

/// `text` with every occurrence of each secret text replaced by its mask.
std::string scrub_secrets(std::string text, const std::vector<SecretText>& secrets);
/// The same against `fields` alone, for one text.
std::string scrub_secrets(std::string text, const std::map<std::string, Value>& fields);

/// `text` (an answer's body, quoted in an error) with the value after every
/// credential name (is_credential_name: `refresh_token`, `access_token`,
/// `client_secret`) masked, in JSON (`"access_token": "..."`) and form
/// (`access_token=...`) shape: an answer may bring secrets the run does not
/// know yet (the new tokens of an answer it could not read).
std::string mask_named_credentials(std::string text);

/// The texts an answer (a JSON document) holds under a credential name
/// (is_credential_name: `access_token`, `refresh_token`, `id_token`), each
/// once: the string members of its objects at any depth, of
/// kMinSecretLength characters or more. Secrets the run did not know until
/// the answer came. Not `token_type` (the token's kind: "Bearer"), and not
/// inside an array: a list's records name themselves by `key` ("PROJ-12").
std::vector<std::string> credential_members(const Json& answer);

/// Whether `text` holds one of `secrets` in any of its spellings.
bool contains_secret(const std::string& text, const std::vector<SecretText>& secrets);

}  // namespace flow
