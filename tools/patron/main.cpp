// `patron`: customer analytics from the command line. Subcommands register themselves
// (cmd_*.cpp); this file only dispatches and turns errors into exit codes:
//   0 success, 2 bad command line or bad input (one line on stderr), 1 anything else.
#include <iostream>
#include <string>
#include <vector>

#include <patron/core/error.hpp>
#include <patron/version.hpp>

#include "cli.hpp"

namespace {

void print_help(std::ostream& out) {
  out << "usage: patron <command> [arguments] [--json]\n\n"
         "Customer analytics from the command line (patron " << patron::version_string
      << ").\n\ncommands:\n";
  for (const auto& [name, c] : patron_cli::commands()) {
    std::string left = "  " + name;
    out << left << std::string(left.size() < 14 ? 14 - left.size() : 1, ' ') << c.summary << "\n";
  }
  out << "\nRun 'patron <command> --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help(std::cout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "patron " << patron::version_string << "\n";
    return 0;
  }
  const auto& table = patron_cli::commands();
  auto it = table.find(args[0]);
  if (it == table.end()) {
    std::cerr << "patron: unknown command '" << args[0] << "' (see patron --help)\n";
    return 2;
  }
  const patron_cli::command& command = it->second;
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const auto& a : rest)
    if (a == "--help" || a == "-h") {
      std::cout << patron_cli::help_text(command);
      return 0;
    }
  try {
    auto options = command.options;
    options.push_back({"json", "", "write JSON instead of CSV", ""});
    patron_cli::arguments parsed(command.name, options, rest);
    return command.run(parsed, std::cout);
  } catch (const patron_cli::usage_error& e) {
    std::cerr << "patron " << command.name << ": " << e.what() << "\n";
    return 2;
  } catch (const patron::invalid_input& e) {
    std::cerr << "patron " << command.name << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "patron " << command.name << ": internal error: " << e.what() << "\n";
    return 1;
  }
}
