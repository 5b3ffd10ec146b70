#pragma once
// A throw-away PKI for tests: a CA and certificates it signed, made with the
// OpenSSL API (no dependency on the openssl command line tool).

#include <string>
#include <vector>

namespace oauth2_provider {

/// Writes into `dir` (created if needed): ca.pem + ca.key (the trust anchor),
/// server.pem + server.key (SANs from `hosts`: IP literals as IP, others as DNS)
/// and client.pem + client.key (for mutual TLS). EC P-256, valid for 30 days.
/// Throws std::runtime_error with OpenSSL's reason on failure.
void generate_test_ca(const std::string& dir, const std::vector<std::string>& hosts);

}  // namespace oauth2_provider
