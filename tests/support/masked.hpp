#pragma once
// How output shows a masked secret (flow::mask): these dots, then the last 4
// characters only when the run knows the secret whole and it is long enough.

#include <string>

namespace flow::testing {

inline const std::string kDots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";  // ••••

}  // namespace flow::testing
