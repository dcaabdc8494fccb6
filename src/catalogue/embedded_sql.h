// The catalogue's SQL files (sql/catalogue/*.sql), embedded at build time.
#pragma once

#include <vector>

#include "common/embedded_file.h"

namespace chameleon::catalogue::embedded {

const std::vector<EmbeddedFile>& EmbeddedFiles();

}  // namespace chameleon::catalogue::embedded
