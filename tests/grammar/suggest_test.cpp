// grammar/suggest.cpp: the edit distance and the "did you mean" threshold.

#include <catch2/catch.hpp>

#include "grammar/suggest.hpp"

using flow::closest_name;
using flow::did_you_mean;
using flow::edit_distance;

TEST_CASE("edit distance counts a transposition as one step and ignores case", "[suggest]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("AccesToken", "AccessToken") == 1);
  CHECK(edit_distance("Refersh", "Refresh") == 1);
  CHECK(edit_distance("accesstoken", "AccessToken") == 0);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("closest_name suggests only plausible typos", "[suggest]") {
  const std::vector<std::string> names{"AccessToken", "RefreshToken", "ExpiresIn"};
  CHECK(closest_name("AccesToken", names) == "AccessToken");
  CHECK(closest_name("expiresin", names) == "ExpiresIn");
  CHECK_FALSE(closest_name("Banana", names));
  // A two-letter name two edits away is a different name, not a typo.
  CHECK_FALSE(closest_name("ab", {"cd"}));
  CHECK(closest_name("ab", {"abc"}) == "abc");
  // Short names get one edit: `code` is not a typo of `body`.
  CHECK_FALSE(closest_name("code", {"message", "status", "body"}));
  CHECK(closest_name("Refesh", {"Refresh"}) == "Refresh");
  CHECK(closest_name("Og", {"Go"}) == "Go");
  // Ties go to the first declared.
  CHECK(closest_name("cat", {"bat", "cap"}) == "bat");
}

TEST_CASE("did_you_mean is a message tail or nothing", "[suggest]") {
  CHECK(did_you_mean("minites", {"seconds", "minutes"}) == "; did you mean 'minutes'?");
  CHECK(did_you_mean("banana", {"seconds", "minutes"}).empty());
}
