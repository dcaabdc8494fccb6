// Sequences set past the copied keys; see sequences.h.
#include "init/sequences.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace chameleon::init {

Result<std::vector<SequenceReset>> ResetSequences(pg::Connection& connection,
                                                  const std::vector<std::string>& schemas) {
  // deptype 'a' ties a serial's sequence to its column, 'i' an identity's.
  ASSIGN_OR_RETURN(
      pg::Rows owned,
      connection.Query(
          "SELECT format('%I.%I', sn.nspname, s.relname), format('%I.%I', n.nspname, c.relname), "
          "quote_ident(a.attname), n.nspname || '.' || c.relname || '.' || a.attname, "
          "q.seqstart, q.seqmin, q.seqmax, q.seqincrement > 0 "
          "FROM pg_depend d "
          "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
          "JOIN pg_namespace sn ON sn.oid = s.relnamespace "
          "JOIN pg_sequence q ON q.seqrelid = s.oid "
          "JOIN pg_class c ON c.oid = d.refobjid "
          "JOIN pg_namespace n ON n.oid = c.relnamespace "
          "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid "
          "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass "
          "  AND d.deptype IN ('a', 'i') "
          "  AND n.nspname IN (SELECT jsonb_array_elements_text($1::jsonb)) "
          "ORDER BY 2, 3",
          {nlohmann::json(schemas).dump()}));
  std::vector<SequenceReset> resets;
  for (int row = 0; row < owned.size(); ++row) {
    std::string sequence(owned.Text(row, 0));
    std::string table(owned.Text(row, 1));
    std::string column(owned.Text(row, 2));
    // The next value past the copied keys (the start on an empty table), kept within the
    // sequence's bounds: setval refuses anything outside them.
    std::string next = owned.Bool(row, 7)
                           ? fmt::format("coalesce(max({})::numeric + 1, $2::numeric)", column)
                           : fmt::format("coalesce(min({})::numeric - 1, $2::numeric)", column);
    ASSIGN_OR_RETURN(
        auto value, connection.QueryValue(
                        fmt::format("SELECT setval($1::regclass, least(greatest({}, $3::numeric), "
                                    "$4::numeric)::bigint, false) FROM {}",
                                    next, table),
                        {sequence, std::string(owned.Text(row, 4)), std::string(owned.Text(row, 5)),
                         std::string(owned.Text(row, 6))}));
    resets.push_back({sequence, std::string(owned.Text(row, 3)), value.value_or("")});
  }
  return resets;
}

}  // namespace chameleon::init
