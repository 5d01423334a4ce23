#include "bleota/web/http_request.hpp"

#include <vector>

namespace bleota::web {
namespace {

bool IsTokenChar(char c) {
  // RFC 9110 tchar.
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return kExtra.find(c) != std::string_view::npos;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

ParseResult BadRequest(std::string message) {
  return ParseResult{std::nullopt, 400, std::move(message)};
}

}  // namespace

std::optional<std::string> NormalizePath(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  const std::size_t query = target.find_first_of("?#");
  if (query != std::string_view::npos) target = target.substr(0, query);

  std::string decoded;
  decoded.reserve(target.size());
  for (std::size_t i = 0; i < target.size(); ++i) {
    const char c = target[i];
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
    if (c != '%') {
      decoded.push_back(c);
      continue;
    }
    if (i + 2 >= target.size()) return std::nullopt;
    const int high = HexValue(target[i + 1]);
    const int low = HexValue(target[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    const char byte = static_cast<char>(high * 16 + low);
    if (byte == '\0') return std::nullopt;
    decoded.push_back(byte);
    i += 2;
  }

  // Segments after decoding, so an encoded "%2e%2e" is resolved like "..".
  std::vector<std::string_view> segments;
  std::string_view rest(decoded);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string path;
  for (const std::string_view segment : segments) {
    path += '/';
    path += segment;
  }
  if (path.empty()) path = "/";
  return path;
}

ParseResult ParseRequestHead(std::string_view head) {
  const std::size_t line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return BadRequest("the request line has no CRLF");
  const std::string_view line = head.substr(0, line_end);

  const std::size_t first_space = line.find(' ');
  if (first_space == std::string_view::npos || first_space == 0) {
    return BadRequest("the request line is not 'METHOD target HTTP/1.x'");
  }
  const std::size_t second_space = line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos || second_space == first_space + 1 ||
      line.find(' ', second_space + 1) != std::string_view::npos) {
    return BadRequest("the request line is not 'METHOD target HTTP/1.x'");
  }
  const std::string_view method = line.substr(0, first_space);
  const std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  const std::string_view version = line.substr(second_space + 1);
  for (const char c : method) {
    if (!IsTokenChar(c)) return BadRequest("the method is not a token");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return BadRequest("the protocol version is not HTTP/1.0 or HTTP/1.1");
  }
  // Header lines are not interpreted, but each must look like a header line.
  std::string_view headers = head.substr(line_end + 2);
  while (!headers.empty() && headers != "\r\n") {
    const std::size_t end = headers.find("\r\n");
    if (end == std::string_view::npos) return BadRequest("a header line has no CRLF");
    const std::string_view field = headers.substr(0, end);
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return BadRequest("a header line has no 'name:'");
    }
    for (const char c : field.substr(0, colon)) {
      if (!IsTokenChar(c)) return BadRequest("a header name is not a token");
    }
    headers = headers.substr(end + 2);
  }

  RequestHead request;
  request.method_name = std::string(method);
  request.method = method == "GET"    ? Method::kGet
                   : method == "HEAD" ? Method::kHead
                                      : Method::kOther;
  std::optional<std::string> path = NormalizePath(target);
  if (!path) return BadRequest("the request target is not a usable absolute path");
  request.path = std::move(*path);
  return ParseResult{std::move(request), 0, {}};
}

}  // namespace bleota::web
