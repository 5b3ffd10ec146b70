// encoding: base64 base64_decode base64url base64url_decode url_encode url_decode hex.
//
// Text is treated as bytes (UTF-8 as written); decoding may yield bytes that are
// not UTF-8, returned as they are.
// base64 pads with '=', base64url does not (as JWTs and PKCE want); both decoders
// accept text with or without padding and reject anything else.
// url_encode is RFC 3986 percent-encoding of one component (space -> %20; the
// engine's encoder, so request building and the stdlib agree); url_decode
// leaves '+' as '+'.
// Null: every argument reads null as "". Secret taint: an encoding or decoding
// of a secret is secret (a base64 secret is still the secret).

#include "engine/json_path.hpp"
#include "stdlib/base64.hpp"
#include "stdlib/stdlib.hpp"
#include "stdlib/support.hpp"

namespace flow {
namespace {

using stdlib::Base64Alphabet;
using stdlib::tainted;
using stdlib::text_or_empty;

BuiltinFn encoder(std::string name, Base64Alphabet alphabet, bool padded) {
  return [name = std::move(name), alphabet, padded](std::span<const Value> args,
                                                    const CallContext&) {
    const std::string text = text_or_empty(name, args[0]);
    return tainted(Value(stdlib::base64_encode(text, alphabet, padded)), args);
  };
}

BuiltinFn decoder(std::string name, Base64Alphabet alphabet) {
  return [name = std::move(name), alphabet](std::span<const Value> args, const CallContext&) {
    auto bytes = stdlib::base64_decode(text_or_empty(name, args[0]), alphabet);
    if (!bytes) {
      throw RunError(name + ": the text is not valid " +
                     (alphabet == Base64Alphabet::url ? "base64url" : "base64"));
    }
    return tainted(Value(std::move(*bytes)), args);
  };
}

Value url_encode_fn(std::span<const Value> args, const CallContext&) {
  return tainted(Value(url_encode(text_or_empty("url_encode", args[0]))), args);
}

Value url_decode_fn(std::span<const Value> args, const CallContext&) {
  try {
    return tainted(Value(url_decode(text_or_empty("url_decode", args[0]))), args);
  } catch (const RunError& e) {
    throw RunError(std::string("url_decode: ") + e.what());
  }
}

Value hex_fn(std::span<const Value> args, const CallContext&) {
  return tainted(Value(stdlib::to_hex(text_or_empty("hex", args[0]))), args);
}

}  // namespace

void register_encoding_functions(FunctionRegistry& registry) {
  using K = ValueKind;
  registry.add({"base64", 1, 1, K::text, {K::text},
                encoder("base64", Base64Alphabet::standard, true), "base64(text) -> text"});
  registry.add({"base64_decode", 1, 1, K::text, {K::text},
                decoder("base64_decode", Base64Alphabet::standard), "base64_decode(text) -> text"});
  registry.add({"base64url", 1, 1, K::text, {K::text},
                encoder("base64url", Base64Alphabet::url, false), "base64url(text) -> text"});
  registry.add({"base64url_decode", 1, 1, K::text, {K::text},
                decoder("base64url_decode", Base64Alphabet::url),
                "base64url_decode(text) -> text"});
  registry.add({"url_encode", 1, 1, K::text, {K::text}, url_encode_fn, "url_encode(text) -> text"});
  registry.add({"url_decode", 1, 1, K::text, {K::text}, url_decode_fn, "url_decode(text) -> text"});
  registry.add({"hex", 1, 1, K::text, {K::text}, hex_fn, "hex(text) -> text"});
}

}  // namespace flow
