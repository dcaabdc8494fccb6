// From the spool's typed values to the translation module's input: a Value as MySQL's text
// protocol would send it, and a TableShape column as information_schema describes it. So a
// replayed value goes through the very rendering rules init_replica's copy used.
#pragma once

#include <string>
#include <string_view>

#include "event/change_event.h"
#include "event/value.h"
#include "translation/type_map.h"

namespace chameleon::replayer {

// The text MySQL's text protocol sends for non-NULL `value`; the view points into `value`
// or `*scratch` and lives until either changes. Zero dates stay zero ("0000-00-00").
std::string_view MysqlText(const Value& value, std::string* scratch);

// The information_schema description of `column` that translation::MapColumn reads
// (data_type and lengths from COLUMN_TYPE, or from the binlog type code when it is empty).
translation::SourceColumn SourceColumnFor(const ColumnShape& column);

}  // namespace chameleon::replayer
