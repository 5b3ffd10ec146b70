#pragma once
// The engine tests' smallest token keeper: one refresh whose answer rotates
// the token, then a save.

namespace flow::testing {

/// Instance K-1 of process K; its handler Go calls Api.Refresh (at a port
/// nothing listens on: a FakeTransport answers) and saves.
inline constexpr const char* kOneRefresh = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Refresh POST "/t" { request body form { rt; } response body json { refresh_token; } }
}
process K {
  field RefreshToken secret = "rt-0000000000000001";
  on Go {
    create_item Api.Refresh map { body.rt = RefreshToken; } on_success { RefreshToken = body.refresh_token; };
    save;
  }
}
instance "K-1" of K { }
)";

}  // namespace flow::testing
