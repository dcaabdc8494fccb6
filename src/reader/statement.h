// What a QUERY event's statement is, from its first keywords (comments and /*!NNNNN */
// version comments skipped): transaction control the reader follows, or something else.
#pragma once

#include <string>
#include <string_view>

namespace chameleon::reader {

enum class StatementKind {
  kBegin,     // BEGIN, START TRANSACTION, XA START
  kCommit,    // COMMIT, XA COMMIT
  kRollback,  // ROLLBACK (a whole group undone), XA ROLLBACK
  kIgnored,   // SAVEPOINT, ROLLBACK TO, RELEASE SAVEPOINT, XA END/PREPARE, empty
  kOther,     // DDL and anything else: kept as a DDL event for the replayer to judge
};

StatementKind ClassifyStatement(std::string_view statement);

// The statement's first keyword in upper case ("ALTER"), comments skipped; empty if none.
std::string FirstKeyword(std::string_view statement);

// The xid of an XA statement as the server logs it, upper-cased ("XA COMMIT X'7a31',X'',1" ->
// "X'7A31',X'',1"; a trailing ONE PHASE dropped); empty for any other statement.
std::string XaId(std::string_view statement);

}  // namespace chameleon::reader
