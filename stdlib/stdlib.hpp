#pragma once
// The standard library of built-in functions (LANGUAGE.md section 5), one module
// per file under stdlib/. The engine never includes this header: the CLI and the
// tests fill a FunctionRegistry with register_stdlib() and hand it to the engine.

#include "engine/functions.hpp"

namespace flow {

/// Registers every module below, plus Kianda's names (Sum Date DateAdd ProcessID Pad).
void register_stdlib(FunctionRegistry& registry);

/// now today add_time diff seconds minutes hours days format_date parse_date
/// unix_time from_unix.
void register_time_functions(FunctionRegistry& registry);
/// upper lower trim length contains starts_with ends_with replace substring split
/// join pad matches.
void register_text_functions(FunctionRegistry& registry);
/// round floor ceil min max sum to_number abs.
void register_number_functions(FunctionRegistry& registry);
/// json_parse to_json json_get.
void register_json_functions(FunctionRegistry& registry);
/// base64 base64_decode base64url base64url_decode url_encode url_decode hex.
void register_encoding_functions(FunctionRegistry& registry);
/// sha256 hmac_sha256.
void register_crypto_functions(FunctionRegistry& registry);
/// uuid process_id.
void register_ids_functions(FunctionRegistry& registry);
/// env.
void register_environment_functions(FunctionRegistry& registry);
/// jwt_claims.
void register_tokens_functions(FunctionRegistry& registry);
/// Kianda's built-in names mapped onto the functions above; call after them.
void register_kianda_functions(FunctionRegistry& registry);

}  // namespace flow
