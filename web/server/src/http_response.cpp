#include "bleota/web/http_response.hpp"

#include "bleota/web/embedded_files.hpp"
#include "bleota/web/http_request.hpp"

namespace bleota::web {
namespace {

std::string_view Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

// The page talks to nothing but its own origin and Web Bluetooth; nothing may frame it.
constexpr std::string_view kCommonHeaders =
    "Cache-Control: no-store\r\n"
    "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Connection: close\r\n";

std::string Response(int status, std::string_view type, std::string_view body, bool with_body,
                     std::string_view extra_headers = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(Reason(status)) +
                    "\r\nContent-Type: " + std::string(type) +
                    "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  out += kCommonHeaders;
  out += extra_headers;
  out += "\r\n";
  if (with_body) out += body;
  return out;
}

std::string TextError(int status, std::string_view detail, bool with_body,
                      std::string_view extra_headers = {}) {
  const std::string body = std::to_string(status) + " " + std::string(Reason(status)) + ": " +
                           std::string(detail) + "\n";
  return Response(status, "text/plain; charset=utf-8", body, with_body, extra_headers);
}

}  // namespace

std::string ErrorResponse(int status, std::string_view detail) {
  return TextError(status, detail, true);
}

std::string RespondToHead(std::string_view head) {
  const ParseResult parsed = ParseRequestHead(head);
  if (!parsed.request) return TextError(parsed.status, parsed.error, true);
  const RequestHead& request = *parsed.request;
  const bool with_body = request.method != Method::kHead;
  if (request.method == Method::kOther) {
    return TextError(405, "method " + request.method_name + " is not allowed (GET and HEAD are)",
                     true, "Allow: GET, HEAD\r\n");
  }
  const std::string_view path =
      request.path == "/" ? std::string_view("/index.html") : std::string_view(request.path);
  const EmbeddedFile* file = FindEmbeddedFile(path);
  if (file == nullptr) return TextError(404, "no file at " + std::string(path), with_body);
  const std::string_view body(reinterpret_cast<const char*>(file->bytes.data()),
                              file->bytes.size());
  return Response(200, file->mime_type, body, with_body);
}

}  // namespace bleota::web
