#include "ipfs_kit/http/message.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ipfs_kit::http {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(PercentDecode, Escapes) {
  EXPECT_EQ(PercentDecode("", false), "");
  EXPECT_EQ(PercentDecode("abc/def", false), "abc/def");
  EXPECT_EQ(PercentDecode("%41%42", false), "AB");
  EXPECT_EQ(PercentDecode("%4a%4A", false), "JJ");  // either case of hex digit
  EXPECT_EQ(PercentDecode("a%2Fb", false), "a/b");
  EXPECT_EQ(PercentDecode("%25", false), "%");
  EXPECT_EQ(PercentDecode("%2541", false), "%41");  // decoded once, not twice
  EXPECT_EQ(PercentDecode("%FF%00", false), std::string("\xff\0", 2));
  EXPECT_EQ(PercentDecode("%E2%82%AC", false), "\xE2\x82\xAC");
  EXPECT_EQ(PercentDecode("x%41", false), "xA");  // escape at the very end
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%2B", true), "+");  // an escaped plus stays a plus
}

TEST(PercentDecode, BadEscapes) {
  for (const char* bad : {"%", "%4", "a%", "a%4", "%G0", "%0G", "%%", "%-1", "% 1", "ab%zz"}) {
    EXPECT_FALSE(PercentDecode(bad, false).has_value()) << bad;
    EXPECT_FALSE(PercentDecode(bad, true).has_value()) << bad;
  }
}

TEST(PercentEncode, UnreservedKept) {
  EXPECT_EQ(PercentEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(PercentEncode("a b"), "a%20b");
  EXPECT_EQ(PercentEncode("a/b"), "a%2Fb");
  EXPECT_EQ(PercentEncode("a/b", /*keep_slash=*/true), "a/b");
  EXPECT_EQ(PercentEncode("+&=?#%"), "%2B%26%3D%3F%23%25");
  EXPECT_EQ(PercentEncode(std::string("\0\xff", 2)), "%00%FF");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(PercentEncode, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (bool keep_slash : {false, true}) {
    std::string enc = PercentEncode(all, keep_slash);
    for (char c : enc) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) ||
                  std::string_view("-_.~%/").find(c) != std::string_view::npos)
          << static_cast<int>(c);
    }
    EXPECT_EQ(PercentDecode(enc, false), all);
    EXPECT_EQ(PercentDecode(enc, true), all);  // no '+' is ever produced
  }
}

TEST(ParseQuery, Pairs) {
  EXPECT_EQ(ParseQuery(""), Pairs{});
  EXPECT_EQ(ParseQuery("a=1"), (Pairs{{"a", "1"}}));
  EXPECT_EQ(ParseQuery("a=1&b=2&a=3"), (Pairs{{"a", "1"}, {"b", "2"}, {"a", "3"}}));
  EXPECT_EQ(ParseQuery("flag"), (Pairs{{"flag", ""}}));
  EXPECT_EQ(ParseQuery("a="), (Pairs{{"a", ""}}));
  EXPECT_EQ(ParseQuery("=v"), (Pairs{{"", "v"}}));
  EXPECT_EQ(ParseQuery("&&a=1&&"), (Pairs{{"a", "1"}}));  // empty parts are skipped
  EXPECT_EQ(ParseQuery("a=b=c"), (Pairs{{"a", "b=c"}}));  // first '=' splits
  EXPECT_EQ(ParseQuery("a+b=c+d"), (Pairs{{"a b", "c d"}}));
  EXPECT_EQ(ParseQuery("k%3D=v%26w"), (Pairs{{"k=", "v&w"}}));
  EXPECT_EQ(ParseQuery("cid=bafy&limit=10"), (Pairs{{"cid", "bafy"}, {"limit", "10"}}));
}

TEST(ParseQuery, BadEscapeFailsTheWholeQuery) {
  EXPECT_FALSE(ParseQuery("a=%zz").has_value());
  EXPECT_FALSE(ParseQuery("ok=1&%=2").has_value());
  EXPECT_FALSE(ParseQuery("a=1&b=%4").has_value());
}

TEST(Request, FirstHeaderAndQueryValue) {
  Request r;
  r.headers = {{"x-a", "1"}, {"x-b", "2"}, {"x-a", "3"}};
  r.query = {{"q", "first"}, {"q", "second"}};
  EXPECT_EQ(r.Header("x-a"), "1");
  EXPECT_EQ(r.Header("x-b"), "2");
  EXPECT_FALSE(r.Header("x-c").has_value());
  EXPECT_EQ(r.Query("q"), "first");
  EXPECT_FALSE(r.Query("z").has_value());
}

TEST(Response, SetReplacesAHeaderWhateverItsCase) {
  Response r = Response::Json(201, "{}");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers, (HeaderList{{"Content-Type", "application/json"}}));
  r.Set("content-type", "application/vnd.ipld.car");
  EXPECT_EQ(r.headers, (HeaderList{{"Content-Type", "application/vnd.ipld.car"}}));
  r.Set("X-One", "1").Set("X-Two", "2").Set("x-one", "one");
  EXPECT_EQ(
      r.headers,
      (HeaderList{{"Content-Type", "application/vnd.ipld.car"}, {"X-One", "one"}, {"X-Two", "2"}}));
  Response t = Response::Text(404, "nope");
  EXPECT_EQ(t.status, 404);
  EXPECT_EQ(t.body, "nope");
  EXPECT_EQ(t.headers, (HeaderList{{"Content-Type", "text/plain; charset=utf-8"}}));
}

}  // namespace
}  // namespace ipfs_kit::http

namespace ipfs_kit::http {
TEST(HttpMarkupEscape, EscapesTheFiveCharacters) {
  EXPECT_EQ(MarkupEscape("a<b>&\"c\" 'd'"), "a&lt;b&gt;&amp;&quot;c&quot; &#39;d&#39;");
  EXPECT_EQ(MarkupEscape("plain ✓"), "plain ✓");
}
}  // namespace ipfs_kit::http
