// Parsing of an HTTP/1.x request head for the static file server: only what serving a fixed set
// of files needs (method and path). Every check is against the bytes received, which the server
// has already bounded (kMaxRequestHead).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace bleota::web {

// Request line and headers together, "\r\n\r\n" included. Larger heads get 431.
inline constexpr std::size_t kMaxRequestHead = 8 * 1024;

enum class Method { kGet, kHead, kOther };

struct RequestHead {
  Method method = Method::kOther;
  std::string method_name;
  std::string path;  // normalized (see NormalizePath); empty when the target was unusable
};

// The outcome of parsing: a request, or the status code and reason to answer with.
struct ParseResult {
  std::optional<RequestHead> request;
  int status = 0;  // 400 when request is empty
  std::string error;
};

// `head` is everything up to and including the blank line that ends the headers.
ParseResult ParseRequestHead(std::string_view head);

// Percent-decodes an origin-form target ("/a/b?q"), drops the query, resolves "." and ".."
// segments without ever going above "/", and collapses empty segments. nullopt for a target that
// is not origin-form, has a bad or NUL escape, or holds control characters.
std::optional<std::string> NormalizePath(std::string_view target);

}  // namespace bleota::web
