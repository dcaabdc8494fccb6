// The example configuration files (configuration/*.yml), embedded at build time.
#pragma once

#include <vector>

#include "common/embedded_file.h"

namespace chameleon::commands::embedded {

const std::vector<EmbeddedFile>& EmbeddedFiles();

}  // namespace chameleon::commands::embedded
