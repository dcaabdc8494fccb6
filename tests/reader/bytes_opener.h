// A SourceOpener for reader tests: every connection serves the same recorded bytes (read from
// the start, as binlog.000001), whatever position the reader asks for.
#pragma once

#include <memory>
#include <string>

#include "reader/binlog_source.h"
#include "reader/reader.h"

namespace chameleon::reader {

// `bytes` must outlive the reader.
inline SourceOpener BytesOpener(const std::string& bytes) {
  return [&bytes](const BinlogPosition&) -> Result<OpenedSource> {
    OpenedSource opened;
    opened.file_name = "binlog.000001";
    opened.source = std::make_unique<BytesBinlogSource>(bytes);
    return opened;
  };
}

}  // namespace chameleon::reader
