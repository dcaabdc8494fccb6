// The DDL parser lives in src/translation (the replayer re-reads the statements it applies);
// the reader keeps using it under its own names.
#pragma once

#include "translation/ddl_parser.h"

namespace chameleon::reader {

using translation::AlterClause;
using translation::AlterKind;
using translation::AlterKindName;
using translation::ColumnDefinition;
using translation::DdlKind;
using translation::DdlKindName;
using translation::DescribeDdl;
using translation::ParsedDdl;
using translation::ParseDdl;
using translation::TableName;

}  // namespace chameleon::reader
