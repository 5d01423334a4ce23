// The `bleota web` server over real sockets: every embedded file byte-identical with its type,
// the error statuses, HEAD, deadlines for slow clients, the connection limit, and the command.
#include "bleota/web/static_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "bleota/host/cli.hpp"
#include "bleota/web/embedded_files.hpp"
#include "bleota/web/web_cli.hpp"

namespace bleota::web {
namespace {

using namespace std::chrono_literals;

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

int Connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Everything the server sends until it closes, or until `limit` passes.
std::string ReadAll(int fd, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string out;
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

Response Parse(const std::string& raw) {
  Response r;
  const std::size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return r;
  std::istringstream lines(raw.substr(0, end));
  std::string line;
  std::getline(lines, line);
  if (line.rfind("HTTP/1.1 ", 0) == 0) r.status = std::stoi(line.substr(9, 3));
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = line.substr(colon + 2);
  }
  r.body = raw.substr(end + 4);
  return r;
}

Response Exchange(std::uint16_t port, const std::string& request) {
  const int fd = Connect(port);
  EXPECT_GE(fd, 0);
  if (fd < 0) return {};
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const std::string raw = ReadAll(fd);
  ::close(fd);
  return Parse(raw);
}

Response Get(std::uint16_t port, const std::string& target, const char* method = "GET") {
  return Exchange(port, std::string(method) + " " + target +
                            " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\n\r\n");
}

std::string ReadSourceFile(const std::string& rel) {
  std::ifstream in(std::string(BLEOTA_WEB_DIR) + "/" + rel, std::ios::binary);
  EXPECT_TRUE(in) << rel;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> WebFiles() {
  std::vector<std::string> files;
  std::stringstream list(BLEOTA_WEB_FILES);
  for (std::string rel; std::getline(list, rel, ',');) files.push_back(rel);
  return files;
}

void ExpectSecurityHeaders(const Response& r) {
  EXPECT_EQ(r.headers.at("cache-control"), "no-store");
  EXPECT_EQ(r.headers.at("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.headers.at("content-security-policy").rfind("default-src 'self'", 0), 0u);
  EXPECT_EQ(r.headers.at("content-length"), std::to_string(r.body.size()));
}

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}) {
    server_ = std::make_unique<StaticServer>(options);
    thread_ = std::thread([this] { server_->Run(stop_); });
  }
  void TearDown() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }
  std::uint16_t port() const { return server_->port(); }

  std::unique_ptr<StaticServer> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(ServerTest, ServesEveryWebFileByteIdenticalWithItsType) {
  Start();
  const std::vector<std::string> files = WebFiles();
  ASSERT_GE(files.size(), 8u);
  EXPECT_EQ(EmbeddedFiles().size(), files.size());
  const std::map<std::string, std::string> types = {{".html", "text/html; charset=utf-8"},
                                                    {".css", "text/css; charset=utf-8"},
                                                    {".js", "text/javascript; charset=utf-8"}};
  for (const std::string& rel : files) {
    const Response r = Get(port(), "/" + rel);
    ASSERT_EQ(r.status, 200) << rel;
    EXPECT_EQ(r.body, ReadSourceFile(rel)) << rel;
    EXPECT_EQ(r.headers.at("content-type"), types.at(rel.substr(rel.rfind('.')))) << rel;
    ExpectSecurityHeaders(r);
  }
}

TEST_F(ServerTest, RootServesIndexHtml) {
  Start();
  const Response r = Get(port(), "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, ReadSourceFile("index.html"));
  EXPECT_EQ(r.headers.at("content-type"), "text/html; charset=utf-8");
}

TEST_F(ServerTest, UnknownAndTraversalPathsAre404) {
  Start();
  for (const char* target :
       {"/nope.js", "/src/", "/src", "/web/index.html", "/../etc/passwd", "/src/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd", "/../CMakeLists.txt", "/server/CMakeLists.txt", "/README.md",
        "/test/smp.test.js"}) {
    const Response r = Get(port(), target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_NE(r.body.find("404 Not Found"), std::string::npos) << target;
    ExpectSecurityHeaders(r);
  }
}

TEST_F(ServerTest, OnlyGetAndHeadAreAllowed) {
  Start();
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
    const Response r = Exchange(
        port(), std::string(method) + " /index.html HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.headers.at("allow"), "GET, HEAD");
    EXPECT_NE(r.body.find(method), std::string::npos);
  }
}

TEST_F(ServerTest, GarbageIs400) {
  Start();
  for (const char* request :
       {"hello\r\n\r\n", "GET / HTTP/9\r\n\r\n", "GET relative HTTP/1.1\r\n\r\n",
        "GET /%zz HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nbroken\r\n\r\n"}) {
    const Response r = Exchange(port(), request);
    EXPECT_EQ(r.status, 400) << request;
    EXPECT_NE(r.body.find("400 Bad Request: "), std::string::npos) << r.body;
  }
}

TEST_F(ServerTest, OversizeHeadIs431) {
  Start();
  // Without an end, and with an end just past the limit.
  const std::string filler = "X-Filler: " + std::string(9000, 'a') + "\r\n";
  EXPECT_EQ(Exchange(port(), "GET / HTTP/1.1\r\n" + filler).status, 431);
  const std::string head =
      "GET / HTTP/1.1\r\nX-Filler: " + std::string(8 * 1024 - 16 - 10 - 4 + 1, 'b') + "\r\n\r\n";
  ASSERT_EQ(head.size(), 8 * 1024 + 1u);
  EXPECT_EQ(Exchange(port(), head).status, 431);
  // Exactly at the limit is fine.
  const std::string at_limit =
      head.substr(0, 16 + 10) + std::string(8 * 1024 - 30, 'c') + "\r\n\r\n";
  ASSERT_EQ(at_limit.size(), 8 * 1024u);
  EXPECT_EQ(Exchange(port(), at_limit).status, 200);
}

TEST_F(ServerTest, HeadHasHeadersButNoBody) {
  Start();
  const Response r = Get(port(), "/style.css", "HEAD");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.headers.at("content-length"), std::to_string(ReadSourceFile("style.css").size()));
  EXPECT_EQ(r.headers.at("content-type"), "text/css; charset=utf-8");
  const Response missing = Get(port(), "/missing", "HEAD");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.empty());
}

TEST_F(ServerTest, ASlowClientDoesNotStallOthersAndIsTimedOut) {
  ServerOptions options;
  options.connection_timeout = 1500ms;
  Start(options);
  // Two clients that never finish their heads.
  const int silent = Connect(port());
  const int partial = Connect(port());
  ASSERT_GE(silent, 0);
  ASSERT_GE(partial, 0);
  ::send(partial, "GET / HT", 8, MSG_NOSIGNAL);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Get(port(), "/").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
  // Both get 408 and are closed at their deadline, not later.
  const Response timed_out = Parse(ReadAll(silent, 4000ms));
  EXPECT_EQ(timed_out.status, 408);
  EXPECT_EQ(Parse(ReadAll(partial, 4000ms)).status, 408);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3000ms);
  ::close(silent);
  ::close(partial);
}

TEST_F(ServerTest, ClientsBeyondTheLimitGet503) {
  ServerOptions options;
  options.max_connections = 1;
  options.connection_timeout = 2000ms;
  Start(options);
  const int holder = Connect(port());
  ASSERT_GE(holder, 0);
  std::this_thread::sleep_for(200ms);  // accepted and counted
  EXPECT_EQ(Get(port(), "/").status, 503);
  ::close(holder);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(Get(port(), "/").status, 200);
}

TEST(StaticServerSetup, RefusesABadHostAndABusyPort) {
  ServerOptions bad;
  bad.host = "example.com";
  EXPECT_THROW(StaticServer{bad}, std::exception);
  StaticServer first{ServerOptions{}};
  ServerOptions same;
  same.port = first.port();
  EXPECT_THROW(StaticServer{same}, std::exception);
}

// `bleota web --port 0` through RunCli in a child process: prints a URL that serves the page,
// and stops with exit code 0 on SIGTERM.
TEST(WebCommand, PrintsAUrlThatServesThePageAndStopsOnSigterm) {
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    const int rc = host::RunCli({"bleota", "web", "--port", "0", "--open-browser", "no"}, std::cout,
                                std::cerr, {AddWebCommands});
    std::cout.flush();
    ::_exit(rc);
  }
  ::close(out[1]);
  std::string printed;
  char c = 0;
  while (printed.find('\n') == std::string::npos && ::read(out[0], &c, 1) == 1) printed += c;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(printed, match, std::regex(R"(http://127\.0\.0\.1:(\d+)/)")))
      << printed;
  const auto port = static_cast<std::uint16_t>(std::stoi(match[1]));
  const Response r = Get(port, match[0].str().substr(match[0].str().find('/', 7)));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, ReadSourceFile("index.html"));
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ::close(out[0]);
}

TEST(WebCommand, RefusesABadPort) {
  std::ostringstream out, err;
  EXPECT_EQ(host::RunCli({"bleota", "web", "--port", "70000"}, out, err, {AddWebCommands}), 2);
  EXPECT_NE(err.str().find("port"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace bleota::web
