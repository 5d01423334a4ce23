#include "bleota/web/web_cli.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <string>

#include "bleota/web/static_server.hpp"

extern char** environ;

namespace bleota::web {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop.store(true); }

// Installs the stop handlers for the lifetime of the command and restores the old ones after.
class StopSignals {
 public:
  StopSignals() {
    g_stop.store(false);
    struct sigaction action {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// Starts the desktop's browser without waiting for it; a failure is only a warning.
bool OpenBrowser(const std::string& url) {
  char* argv[] = {const_cast<char*>("xdg-open"), const_cast<char*>(url.c_str()), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, "xdg-open", nullptr, nullptr, argv, environ) != 0) return false;
  int status = 0;
  return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class WebCommand final : public host::cli::Command {
 public:
  explicit WebCommand(CLI::App* app) : Command(app) {
    app->add_option("--port", port_, "TCP port (0: any free port; the URL is printed)")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    app->add_option("--host", host_,
                    "Address to listen on. Web Bluetooth needs a secure context, and a plain-HTTP "
                    "page is one only on localhost")
        ->default_val("127.0.0.1");
    app->add_option("--open-browser", open_browser_, "Open the page with xdg-open")
        ->check(CLI::IsMember({"yes", "no"}))
        ->default_val("no");
  }

  int Run(host::cli::Streams& streams) override {
    ServerOptions options;
    options.host = host_;
    options.port = static_cast<std::uint16_t>(port_);
    StaticServer server(options);
    const StopSignals signals;
    if (!IsLoopback(host_)) {
      streams.err << "bleota web: warning: " << host_
                  << " is not a loopback address; browsers allow Web Bluetooth on plain HTTP "
                     "only from localhost\n";
    }
    streams.out << "bleota web: serving the updater at " << server.url() << " (Ctrl-C to stop)"
                << std::endl;
    if (open_browser_ == "yes" && !OpenBrowser(server.url())) {
      streams.err << "bleota web: warning: xdg-open could not open " << server.url()
                  << "; open it by hand\n";
    }
    server.Run(g_stop);
    streams.out << "bleota web: stopped" << std::endl;
    return 0;
  }

 private:
  int port_ = 8080;
  std::string host_ = "127.0.0.1";
  std::string open_browser_ = "no";
};

}  // namespace

void AddWebCommands(CLI::App& app, std::vector<std::unique_ptr<host::cli::Command>>& commands) {
  CLI::App* web = app.add_subcommand(
      "web",
      "Serve the web updater (Web Bluetooth page, files built into this executable) on localhost "
      "(docs/cli.md)");
  commands.push_back(std::make_unique<WebCommand>(web));
}

}  // namespace bleota::web
