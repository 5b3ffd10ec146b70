// crypto: sha256 hmac_sha256, through OpenSSL 3's EVP interfaces.
//
// Both return lowercase hex. Text is hashed as its bytes (UTF-8 as written).
// Null: every argument reads null as "".
// Secret taint: a digest of a secret, or a MAC under a secret key, is secret: an
// HMAC under a secret key is exactly the kind of value that authenticates a request.

#include <openssl/evp.h>

#include <array>

#include "stdlib/stdlib.hpp"
#include "stdlib/support.hpp"

namespace flow {
namespace {

using stdlib::tainted;
using stdlib::text_or_empty;

Value sha256_fn(std::span<const Value> args, const CallContext&) {
  const std::string text = text_or_empty("sha256", args[0]);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw RunError("sha256: the digest failed");
  }
  return tainted(Value(stdlib::to_hex({reinterpret_cast<const char*>(digest.data()), size})), args);
}

Value hmac_sha256_fn(std::span<const Value> args, const CallContext&) {
  const std::string key = text_or_empty("hmac_sha256", args[0]);
  const std::string text = text_or_empty("hmac_sha256", args[1]);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t size = 0;
  // EVP_Q_mac: OpenSSL 3's one-shot MAC (HMAC_CTX and friends are deprecated).
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac.data(),
                mac.size(), &size) == nullptr) {
    throw RunError("hmac_sha256: the MAC failed");
  }
  return tainted(Value(stdlib::to_hex({reinterpret_cast<const char*>(mac.data()), size})), args);
}

}  // namespace

void register_crypto_functions(FunctionRegistry& registry) {
  using K = ValueKind;
  registry.add({"sha256", 1, 1, K::text, {K::text}, sha256_fn, "sha256(text) -> text (hex)"});
  registry.add({"hmac_sha256", 2, 2, K::text, {K::text, K::text}, hmac_sha256_fn,
                "hmac_sha256(key, text) -> text (hex)"});
}

}  // namespace flow
