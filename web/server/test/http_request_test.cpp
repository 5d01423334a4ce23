// Request-head parsing and path normalization of the `bleota web` server.
#include "bleota/web/http_request.hpp"

#include <gtest/gtest.h>

namespace bleota::web {
namespace {

TEST(NormalizePath, ResolvesDotSegmentsWithoutLeavingTheRoot) {
  EXPECT_EQ(NormalizePath("/"), "/");
  EXPECT_EQ(NormalizePath("/src/app.js"), "/src/app.js");
  EXPECT_EQ(NormalizePath("/src/./app.js"), "/src/app.js");
  EXPECT_EQ(NormalizePath("//src//app.js"), "/src/app.js");
  EXPECT_EQ(NormalizePath("/x/../src/app.js"), "/src/app.js");
  EXPECT_EQ(NormalizePath("/../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(NormalizePath("/../../../../"), "/");
  EXPECT_EQ(NormalizePath("/%2e%2e/%2E%2E/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(NormalizePath("/index.html?v=1#top"), "/index.html");
  EXPECT_EQ(NormalizePath("/st%79le.css"), "/style.css");
}

TEST(NormalizePath, RefusesWhatIsNotAnAbsolutePath) {
  EXPECT_EQ(NormalizePath(""), std::nullopt);
  EXPECT_EQ(NormalizePath("index.html"), std::nullopt);
  EXPECT_EQ(NormalizePath("http://example.com/"), std::nullopt);
  EXPECT_EQ(NormalizePath("*"), std::nullopt);
  EXPECT_EQ(NormalizePath("/a%"), std::nullopt);
  EXPECT_EQ(NormalizePath("/a%4"), std::nullopt);
  EXPECT_EQ(NormalizePath("/a%zz"), std::nullopt);
  EXPECT_EQ(NormalizePath("/a%00b"), std::nullopt);
  EXPECT_EQ(NormalizePath(std::string_view("/a\x01", 3)), std::nullopt);
}

TEST(ParseRequestHead, ReadsMethodAndPath) {
  const ParseResult r =
      ParseRequestHead("GET /src/../index.html HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n");
  ASSERT_TRUE(r.request) << r.error;
  EXPECT_EQ(r.request->method, Method::kGet);
  EXPECT_EQ(r.request->path, "/index.html");
  const ParseResult head = ParseRequestHead("HEAD / HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(head.request) << head.error;
  EXPECT_EQ(head.request->method, Method::kHead);
  const ParseResult post = ParseRequestHead("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(post.request) << post.error;
  EXPECT_EQ(post.request->method, Method::kOther);
  EXPECT_EQ(post.request->method_name, "POST");
}

TEST(ParseRequestHead, RefusesMalformedHeadsWith400) {
  for (const char* head : {
           "\r\n\r\n", "GET\r\n\r\n", "GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
           "GET / HTTP/1.1 extra\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET / http/1.1\r\n\r\n",
           "G(T / HTTP/1.1\r\n\r\n", "GET nohost HTTP/1.1\r\n\r\n",
           "GET / HTTP/1.1\r\nno colon here\r\n\r\n", "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
           "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
           "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  // a TLS ClientHello
       }) {
    const ParseResult r = ParseRequestHead(head);
    EXPECT_FALSE(r.request) << head;
    EXPECT_EQ(r.status, 400) << head;
    EXPECT_FALSE(r.error.empty()) << head;
  }
}

}  // namespace
}  // namespace bleota::web
