#include "bleota/host/cli.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <vector>

#include "bleota/host/cli_command.hpp"
#include "bleota/host/error.hpp"

namespace bleota::host {

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const std::vector<CliExtension>& extensions) {
  CLI::App app{
      "bleota: build, sign, encrypt and inspect MCUboot-compatible firmware images, and update "
      "devices over SMP",
      args.empty() ? "bleota" : args[0]};
  app.require_subcommand(1);
  CLI::App* image = app.add_subcommand("image", "MCUboot image and key commands (imgtool style)");
  image->require_subcommand(1);

  std::vector<std::unique_ptr<cli::Command>> commands;
  commands.push_back(cli::AddKeygenCommand(*image));
  commands.push_back(cli::AddGetpubCommand(*image));
  commands.push_back(cli::AddGetprivCommand(*image));
  commands.push_back(cli::AddSignCommand(*image));
  commands.push_back(cli::AddVerifyCommand(*image));
  commands.push_back(cli::AddInfoCommand(*image));
  commands.push_back(cli::AddDecryptCommand(*image));
  cli::AddDfuCommands(app, commands);
  for (const CliExtension extension : extensions) extension(app, commands);

  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  if (argv.empty()) argv.push_back("bleota");
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    // Help is a success; every other parse problem is a usage error (exit code 2).
    const int code = app.exit(e, out, err);
    return code == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  }

  cli::Streams streams{out, err};
  try {
    for (const auto& command : commands) {
      if (command->parsed()) return command->Run(streams);
    }
    err << "bleota: error: no command given\n";
    return static_cast<int>(ExitCode::kUsage);
  } catch (const HostError& e) {
    err << "bleota: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    err << "bleota: error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::kInternal);
  }
}

}  // namespace bleota::host
