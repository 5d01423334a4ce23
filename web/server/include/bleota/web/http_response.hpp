// What the static file server answers to one request head: pure, so tests check every status
// without sockets.
#pragma once

#include <string>
#include <string_view>

namespace bleota::web {

// A whole response (status line, headers, body unless HEAD) for the request head `head`, served
// from the embedded files. Every response closes the connection.
std::string RespondToHead(std::string_view head);

// A response with a short text body for an error found before a head could be parsed (408, 431,
// 503).
std::string ErrorResponse(int status, std::string_view detail);

}  // namespace bleota::web
