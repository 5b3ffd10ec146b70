// oauth2_provider: a local OAuth2 token endpoint and protected resource for
// Flow's tests and demo. Binds 127.0.0.1 only; one io_context thread.
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include "tools/oauth2_provider/options.hpp"
#include "tools/oauth2_provider/say.hpp"
#include "tools/oauth2_provider/server.hpp"
#include "tools/oauth2_provider/test_ca.hpp"
#include "tools/oauth2_provider/token_state.hpp"

namespace {

namespace asio = boost::asio;
using namespace oauth2_provider;

std::shared_ptr<asio::ssl::context> server_tls(const Options& options) {
  if (options.tls_cert.empty()) return nullptr;
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
  context->use_certificate_chain_file(options.tls_cert);
  context->use_private_key_file(options.tls_key, asio::ssl::context::pem);
  if (!options.tls_client_ca.empty()) {
    context->load_verify_file(options.tls_client_ca);
    context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

int serve(const Options& options) {
  asio::io_context io;
  TokenState state(options.state_file, options.refresh_tokens, options.expires_in);
  state.faults = options.faults;
  Server server(io, options, state, server_tls(options));
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int) {
    if (error) return;
    say("stopping");
    server.stop();
    io.stop();
  });
  server.start();
  std::cout << "listening on 127.0.0.1:" << server.port() << std::endl;
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  try {
    Options options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (options.help) {
      std::cout << kUsage;
      return 0;
    }
    if (!options.gen_test_ca_dir.empty()) {
      generate_test_ca(options.gen_test_ca_dir, options.cert_hosts);
      return 0;
    }
    return serve(options);
  } catch (const std::invalid_argument& error) {
    say(error.what());
    std::cerr << kUsage;
    return 2;
  } catch (const std::exception& error) {
    say(error.what());
    return 2;
  }
}
