#pragma once
// Which names read as a credential: the rule that masks a header, a request
// part or a base_url query parameter by its name alone, whatever its value's
// taint. Lowering applies it once to each declared request part
// (ast::RequestPart::credential); a call asks it of the names it meets in a
// base_url's query.

#include <string_view>

namespace flow {

/// Whether a header, or a query parameter of a base_url, holds a credential by
/// its name alone, whatever its value's taint: Authorization,
/// Proxy-Authorization, and any name containing auth, key, token, secret,
/// password or cookie (case-insensitive). Its value is masked like a secret's
/// (`header "X-Api-Key" = env("API_KEY")`, `?api_key=${env("API_KEY")}`).
bool is_credential_name(std::string_view name);

}  // namespace flow
