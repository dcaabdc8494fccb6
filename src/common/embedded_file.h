// A file compiled into the binary by cmake/embed_files.cmake (catalogue SQL, example config).
#pragma once

#include <string_view>

namespace chameleon {

struct EmbeddedFile {
  std::string_view name;  // base name, e.g. "0001_replica_catalogue.sql"
  std::string_view contents;
};

}  // namespace chameleon
