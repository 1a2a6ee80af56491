// ResponseTracker: finds where the server's response to one command ends, from packet lengths
// and the first bytes of each payload only (the relay never decodes result sets). Allocation-free
// and O(1) per packet; one tracker per backend link, re-armed with Start() for each command.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace shadowproxy::protocol {

enum class TrackerResult {
  kNeedMore,            // the response continues: feed the next server packet
  kDone,                // this packet completed the response; the link is idle again
  kLocalInfileRequest,  // 0xFB: the client must send the file now (packets ending with an empty
                        // one), then feed the server's answer (OK/ERR, maybe more results)
  kProtocolError,       // the packet cannot be part of a valid response (or too few bytes given)
};

// How to feed it
// --------------
// Call OnPacket once per WIRE packet of the server (including the continuation packets of a
// payload >= 16 MiB and the empty trailer packet; those are recognised from the previous
// packet's length and treated as opaque). `length` is the packet header's length; `first_bytes`
// points to the start of that packet's payload and `available` says how many payload bytes it
// holds. The tracker needs min(length, kPeekBytes) bytes: 21 is the longest prefix it ever reads
// (an OK packet's two length-encoded integers, 1+9+9 bytes, then the 2-byte status flags). Giving
// fewer bytes than that for a packet whose kind needs them yields kProtocolError. Continuation
// packets need 0 bytes.
//
// What it understands
// -------------------
//  * OK / ERR / EOF (any command).
//  * Result sets (COM_QUERY, COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE, COM_PROCESS_INFO): column
//    count, column definitions, the EOF after them unless CLIENT_DEPRECATE_EOF, rows (text or
//    binary: a 0xFE row is always >= 16 MiB so it is never taken for the end), final EOF or
//    0xFE-OK. SERVER_MORE_RESULTS_EXISTS on the final OK/EOF → another result follows
//    (multi-statement, CALL). ERR ends the response anywhere.
//  * MARIADB_CLIENT_CACHE_METADATA / CLIENT_OPTIONAL_RESULTSET_METADATA: the "metadata follows"
//    byte after the column count (0 → no column definitions). Pass the negotiated flags.
//  * LOAD DATA LOCAL INFILE (0xFB) after COM_QUERY or COM_STMT_EXECUTE (MariaDB prepares it)
//    → kLocalInfileRequest, then OK/ERR.
//  * COM_STMT_EXECUTE with a cursor: classic protocol sends column defs + EOF carrying
//    SERVER_STATUS_CURSOR_EXISTS and no rows → kDone there; under CLIENT_DEPRECATE_EOF the
//    server sends column defs + 0xFE-OK (checked against MariaDB 10.11) → kDone too.
//  * COM_STMT_FETCH: binary rows then EOF/0xFE-OK (or ERR).
//  * COM_STMT_PREPARE: OK (0x00, stmt_id, num_columns, num_params) + num_params definitions
//    [+ EOF] + num_columns definitions [+ EOF]; the EOFs only without CLIENT_DEPRECATE_EOF and
//    only for a non-empty list.
//  * COM_FIELD_LIST: column definitions until EOF / 0xFE-OK, or ERR.
//  * COM_STATISTICS: one string packet.
//  * COM_BINLOG_DUMP(_GTID): a stream; only EOF or ERR end it.
//  * COM_CHANGE_USER: only OK / ERR end it; every other packet (AuthSwitchRequest 0xFE,
//    AuthMoreData 0x01) gives kNeedMore and the CLIENT has to answer before the server goes on:
//    the relay drives that auth exchange itself and uses the tracker only to see the end.
//  * COM_PING, COM_INIT_DB, COM_RESET_CONNECTION, COM_SET_OPTION (OK, or EOF on servers without
//    DEPRECATE_EOF), COM_STMT_RESET, ... : one packet ends it.
//  * COM_QUIT, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA: no response; Start() leaves the tracker
//    done and any packet is a protocol error.
//  * MariaDB progress reports (ERR with code 0xFFFF, only with MARIADB_CLIENT_PROGRESS) are
//    skipped.
class ResponseTracker {
 public:
  static constexpr size_t kPeekBytes = 21;

  // Arms the tracker for the response to `command`. `capabilities` are the negotiated client
  // capabilities (CLIENT_DEPRECATE_EOF, CLIENT_OPTIONAL_RESULTSET_METADATA matter);
  // `mariadb_ext_capabilities` the negotiated MariaDB extended ones (0 if none).
  void Start(uint8_t command, uint32_t capabilities, uint32_t mariadb_ext_capabilities = 0);

  TrackerResult OnPacket(uint32_t length, const uint8_t* first_bytes, size_t available);
  TrackerResult OnPacket(std::span<const uint8_t> whole_payload) {
    return OnPacket(static_cast<uint32_t>(whole_payload.size()), whole_payload.data(),
                    whole_payload.size());
  }

  bool done() const {
    return (phase_ == Phase::kDone && !done_after_continuation_) || phase_ == Phase::kNoResponse;
  }
  // The response ended with ERR (or the last result did).
  bool error() const { return error_; }
  // Status flags of the last OK / EOF seen (SERVER_STATUS_IN_TRANS, ..._CURSOR_EXISTS, ...).
  uint16_t status_flags() const { return status_flags_; }
  bool has_status_flags() const { return has_status_; }
  // Completed results so far (OK packets and result sets, including the last one).
  uint32_t results() const { return results_; }
  // Wire packets fed since Start().
  uint64_t packets() const { return packets_; }
  // COM_STMT_PREPARE: the statement id from the prepare OK (0 otherwise).
  uint32_t statement_id() const { return statement_id_; }

 private:
  enum class Phase : uint8_t {
    kDone,
    kFirst,          // first packet of a (next) result
    kColumns,        // column definitions left: count_
    kColumnsEof,     // the EOF after column definitions (classic protocol)
    kRows,           // rows until EOF / 0xFE-OK / ERR
    kPrepareParams,  // param definitions left: count_, then prepare_columns_
    kPrepareParamsEof,
    kPrepareColumns,
    kPrepareColumnsEof,
    kFieldList,
    kSingle,  // any one packet ends the response (COM_STATISTICS and simple commands)
    kBinlog,
    kChangeUser,
    kNoResponse,
  };

  TrackerResult Classify(uint32_t length, const uint8_t* p, size_t n);
  TrackerResult Finish(bool error);
  TrackerResult AfterColumns();
  TrackerResult AfterPrepareParams();
  // Reads the status flags of an OK (length >= 7) or EOF (length 5) packet.
  bool ReadEndStatus(uint32_t length, const uint8_t* p, size_t n);
  TrackerResult OnResultEnd(uint32_t length, const uint8_t* p, size_t n);

  Phase phase_ = Phase::kDone;
  uint8_t command_ = 0;
  bool deprecate_eof_ = false;
  bool metadata_byte_ = false;  // the column count packet carries a "metadata follows" byte
  bool progress_ = false;
  bool error_ = false;
  bool has_status_ = false;
  bool continuation_ = false;  // the previous packet was 0xFFFFFF long
  bool done_after_continuation_ = false;
  uint16_t status_flags_ = 0;
  uint32_t results_ = 0;
  uint32_t statement_id_ = 0;
  uint32_t prepare_columns_ = 0;
  uint64_t count_ = 0;
  uint64_t packets_ = 0;
};

}  // namespace shadowproxy::protocol
