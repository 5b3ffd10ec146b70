#include "engine/http/gzip.hpp"

#include <zlib.h>

#include <array>

#include "engine/http/errors.hpp"

namespace flow::http {

namespace {

/// Owns a z_stream set up for gzip decoding.
class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&stream_, 16 + MAX_WBITS) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& stream() { return stream_; }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

HttpError malformed(std::string why) { return {HttpErrorKind::malformed, "gzip body: " + why}; }

}  // namespace

std::optional<HttpError> gunzip(std::string_view compressed, std::size_t max_bytes, std::string& out) {
  Inflater inflater;
  if (!inflater.ok()) return malformed("cannot initialise zlib");
  z_stream& z = inflater.stream();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  out.clear();
  std::array<char, 16 * 1024> chunk;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    int rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) return malformed(z.msg ? z.msg : "corrupt data");
    out.append(chunk.data(), chunk.size() - z.avail_out);
    if (out.size() > max_bytes) {
      return HttpError{HttpErrorKind::too_large, "decoded gzip body " + exceeds_max_response_bytes(max_bytes)};
    }
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) return std::nullopt;
      inflateReset(&z);  // concatenated gzip members are one body
    } else if (z.avail_in == 0 && z.avail_out != 0) {
      return malformed("truncated data");
    }
  }
}

}  // namespace flow::http
