// ids: uuid process_id.
//
// Neither takes arguments, so there is no taint to propagate.
// process_id() is null while the instance has no Process ID yet (before its
// first `save`), rather than an error, so a handler can log or test it.

#include <openssl/rand.h>

#include <array>
#include <cstdint>

#include "stdlib/stdlib.hpp"
#include "stdlib/support.hpp"

namespace flow {
namespace {

/// A random (version 4, RFC 9562) UUID in its lowercase 8-4-4-4-12 form.
Value uuid_fn(std::span<const Value>, const CallContext&) {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw RunError("uuid: the random number generator failed");
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // variant 10
  const std::string hex =
      stdlib::to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  // 8-4-4-4-12
  std::string text = hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
                     hex.substr(16, 4) + '-' + hex.substr(20);
  return Value(std::move(text));
}

Value process_id_fn(std::span<const Value>, const CallContext& context) {
  if (context.instance_id.empty()) return Value();
  return Value(context.instance_id);
}

}  // namespace

void register_ids_functions(FunctionRegistry& registry) {
  registry.add({"uuid", 0, 0, ValueKind::text, {}, uuid_fn, "uuid() -> text"});
  registry.add({"process_id", 0, 0, ValueKind::text, {}, process_id_fn, "process_id() -> text"});
}

}  // namespace flow
