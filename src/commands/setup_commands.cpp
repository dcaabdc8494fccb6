// set_configuration_files: the ~/.pg_chameleon layout and the example configuration.
#include <fmt/format.h>

#include <fstream>

#include "commands/embedded_config.h"
#include "commands/handlers.h"
#include "common/paths.h"
#include "config/config_loader.h"

namespace chameleon::commands {

int SetConfigurationFiles(Context& context) {
  std::filesystem::path home = ChameleonHome();
  for (const auto& directory :
       {home, config::ConfigurationDirectory(), home / "logs", home / "pid", home / "spool"}) {
    if (Status status = EnsurePrivateDirectory(directory); !status.ok()) {
      return context.Fail(status);
    }
  }
  for (const auto& file : embedded::EmbeddedFiles()) {
    std::filesystem::path target = config::ConfigurationDirectory() / std::string(file.name);
    std::ofstream stream(target, std::ios::binary | std::ios::trunc);
    stream << file.contents;
    stream.close();
    if (!stream) return context.Fail("cannot write " + target.string());
    context.out() << "wrote " << target.string() << "\n";
  }
  context.out() << fmt::format(
      "copy config-example.yml to {} and edit it, then run `chameleon show_config`\n",
      (config::ConfigurationDirectory() / "default.yml").string());
  return kExitOk;
}

}  // namespace chameleon::commands
