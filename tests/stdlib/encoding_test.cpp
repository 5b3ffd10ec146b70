#include <cctype>

#include <catch2/catch.hpp>

#include "stdlib/stdlib_support.hpp"

using namespace flow;
using flow::test::call;
using flow::test::secret;

TEST_CASE("base64 pads, base64url does not") {
  CHECK(call("base64", {"h\xC3\xA9llo w\xC3\xB6rld?>"}) == Value("aMOpbGxvIHfDtnJsZD8+"));
  CHECK(call("base64url", {"h\xC3\xA9llo w\xC3\xB6rld?>"}) == Value("aMOpbGxvIHfDtnJsZD8-"));
  CHECK(call("base64", {"\xFB\xFF"}) == Value("+/8="));
  CHECK(call("base64url", {"\xFB\xFF"}) == Value("-_8"));
  CHECK(call("base64", {"client:secret"}) == Value("Y2xpZW50OnNlY3JldA=="));
  CHECK(call("base64", {""}) == Value(""));
  CHECK(call("base64", {Value()}) == Value(""));
  CHECK(call("base64", {"a"}) == Value("YQ=="));
  CHECK(call("base64", {"ab"}) == Value("YWI="));
  CHECK(call("base64", {"abc"}) == Value("YWJj"));
  REQUIRE_THROWS_WITH(call("base64", {5}), "base64: expected text, got number");
}

TEST_CASE("base64 decoders accept padding or none, and nothing else") {
  CHECK(call("base64_decode", {"Y2xpZW50OnNlY3JldA=="}) == Value("client:secret"));
  CHECK(call("base64_decode", {"Y2xpZW50OnNlY3JldA"}) == Value("client:secret"));
  CHECK(call("base64_decode", {"+/8="}) == Value("\xFB\xFF"));
  CHECK(call("base64url_decode", {"-_8"}) == Value("\xFB\xFF"));
  CHECK(call("base64url_decode", {"-_8="}) == Value("\xFB\xFF"));
  CHECK(call("base64_decode", {""}) == Value(""));
  REQUIRE_THROWS_WITH(call("base64_decode", {"-_8="}),
                      "base64_decode: the text is not valid base64");
  REQUIRE_THROWS_WITH(call("base64url_decode", {"+/8="}),
                      "base64url_decode: the text is not valid base64url");
  REQUIRE_THROWS_AS(call("base64_decode", {"Y"}), RunError);       // impossible length
  REQUIRE_THROWS_AS(call("base64_decode", {"YQ=a"}), RunError);    // padding inside
  REQUIRE_THROWS_AS(call("base64_decode", {"YR=="}), RunError);    // non-zero trailing bits
  REQUIRE_THROWS_AS(call("base64_decode", {"YQ==="}), RunError);   // too much padding
  REQUIRE_THROWS_AS(call("base64_decode", {"Y2xp ZW50"}), RunError);
}

TEST_CASE("base64 round-trips every byte") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (const auto& [encode, decode] : {std::pair{"base64", "base64_decode"},
                                       std::pair{"base64url", "base64url_decode"}}) {
    for (std::size_t length = 0; length <= 5; ++length) {
      const Value part(bytes.substr(0, length) + bytes.substr(250));
      CHECK(call(decode, {call(encode, {part})}) == part);
    }
  }
}

TEST_CASE("url_encode percent-encodes all but unreserved characters") {
  CHECK(call("url_encode", {"a b&c=d/e?f"}) == Value("a%20b%26c%3Dd%2Fe%3Ff"));
  CHECK(call("url_encode", {"AZaz09-_.~"}) == Value("AZaz09-_.~"));
  CHECK(call("url_encode", {"\xC3\xA9"}) == Value("%C3%A9"));
  CHECK(call("url_encode", {Value()}) == Value(""));
  REQUIRE_THROWS_WITH(call("url_encode", {true}), "url_encode: expected text, got boolean");
}

TEST_CASE("url_encode escapes every byte outside the unreserved set, wherever it stands") {
  // Escapes first, last, back to back, and between runs of plain characters.
  CHECK(call("url_encode", {"/a"}) == Value("%2Fa"));
  CHECK(call("url_encode", {"a/"}) == Value("a%2F"));
  CHECK(call("url_encode", {"//"}) == Value("%2F%2F"));
  CHECK(call("url_encode", {"ab+cd==ef"}) == Value("ab%2Bcd%3D%3Def"));
  std::string every_byte;
  std::string expected;
  for (int c = 0; c < 256; ++c) {
    every_byte += static_cast<char>(c);
    const bool plain = std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
    if (plain && c < 128) {
      expected += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      expected += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  CHECK(call("url_encode", {every_byte}) == Value(expected));
}

TEST_CASE("url_decode reverses percent-encoding and keeps '+'") {
  CHECK(call("url_decode", {"a%20b%26c%3dd"}) == Value("a b&c=d"));
  CHECK(call("url_decode", {"%C3%A9"}) == Value("\xC3\xA9"));
  CHECK(call("url_decode", {"a+b"}) == Value("a+b"));
  CHECK(call("url_decode", {call("url_encode", {"x y/z"})}) == Value("x y/z"));
  REQUIRE_THROWS_WITH(call("url_decode", {"100%"}),
                      "url_decode: '%' at byte 3 is not followed by two hex digits");
  REQUIRE_THROWS_WITH(call("url_decode", {"%zz"}),
                      "url_decode: '%' at byte 0 is not followed by two hex digits");
  REQUIRE_THROWS_WITH(call("url_decode", {"%4"}),
                      "url_decode: '%' at byte 0 is not followed by two hex digits");
}

TEST_CASE("hex writes two lowercase digits per byte") {
  CHECK(call("hex", {"AZ\n"}) == Value("415a0a"));
  CHECK(call("hex", {"\xFF"}) == Value("ff"));
  CHECK(call("hex", {""}) == Value(""));
  REQUIRE_THROWS_WITH(call("hex", {12}), "hex: expected text, got number");
}

TEST_CASE("encodings of secrets are secret") {
  for (const char* name :
       {"base64", "base64url", "url_encode", "url_decode", "hex", "base64url_decode"}) {
    CHECK(call(name, {secret("c2VjcmV0")}).secret);
    CHECK_FALSE(call(name, {"c2VjcmV0"}).secret);
  }
  CHECK(call("base64_decode", {secret("c2VjcmV0")}).secret);
}
