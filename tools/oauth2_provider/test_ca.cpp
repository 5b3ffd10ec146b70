#include "tools/oauth2_provider/test_ca.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>

namespace oauth2_provider {

namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
  unsigned long code = ERR_get_error();
  std::string reason = code ? ERR_reason_error_string(code) ? ERR_reason_error_string(code) : "" : "";
  throw std::runtime_error(what + (reason.empty() ? "" : ": " + reason));
}

void check(int ok, const std::string& what) {
  if (ok != 1) fail(what);
}

KeyPtr new_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot generate an EC key");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (!extension) fail("cannot build extension " + value);
  int ok = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  check(ok, "cannot add extension " + value);
}

/// A certificate for `key` named `common_name`, signed by `issuer` (itself when null).
CertPtr new_cert(EVP_PKEY* key, const std::string& common_name, X509* issuer) {
  CertPtr cert(X509_new());
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), 2), "X509_set_version");
  std::unique_ptr<BIGNUM, Deleter<BN_free>> serial(BN_new());
  check(BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
  if (!BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) fail("serial number");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("Flow tests"), -1, -1, 0), "subject O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0), "subject CN");
  X509* signer = issuer ? issuer : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)), "X509_set_issuer_name");
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer) add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) fail("X509_sign");
}

std::string subject_alt_names(const std::vector<std::string>& hosts) {
  std::string names;
  for (const auto& host : hosts) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    names += (names.empty() ? "" : ",") + std::string(ec ? "DNS:" : "IP:") + host;
  }
  return names;
}

void write_pem(const std::filesystem::path& dir, const std::string& name, X509* cert, EVP_PKEY* key) {
  BioPtr cert_out(BIO_new_file((dir / (name + ".pem")).c_str(), "w"));
  if (!cert_out || PEM_write_bio_X509(cert_out.get(), cert) != 1) fail("cannot write " + name + ".pem");
  auto key_path = dir / (name + ".key");
  BioPtr key_out(BIO_new_file(key_path.c_str(), "w"));
  if (!key_out || PEM_write_bio_PrivateKey(key_out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("cannot write " + name + ".key");
  }
  std::filesystem::permissions(key_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

}  // namespace

void generate_test_ca(const std::string& dir, const std::vector<std::string>& hosts) {
  if (hosts.empty()) throw std::runtime_error("no host names for the server certificate");
  std::filesystem::create_directories(dir);
  KeyPtr ca_key = new_key();
  CertPtr ca = new_cert(ca_key.get(), "Flow Test CA", nullptr);
  add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  sign(ca.get(), ca_key.get());
  write_pem(dir, "ca", ca.get(), ca_key.get());

  KeyPtr server_key = new_key();
  CertPtr server = new_cert(server_key.get(), hosts.front(), ca.get());
  add_extension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  add_extension(server.get(), ca.get(), NID_subject_alt_name, subject_alt_names(hosts));
  sign(server.get(), ca_key.get());
  write_pem(dir, "server", server.get(), server_key.get());

  KeyPtr client_key = new_key();
  CertPtr client = new_cert(client_key.get(), "flow-test-client", ca.get());
  add_extension(client.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(client.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(client.get(), ca.get(), NID_ext_key_usage, "clientAuth");
  sign(client.get(), ca_key.get());
  write_pem(dir, "client", client.get(), client_key.get());
}

}  // namespace oauth2_provider
