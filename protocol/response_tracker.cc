#include "protocol/response_tracker.h"

#include <algorithm>

#include "protocol/capabilities.h"
#include "protocol/command.h"
#include "protocol/packet.h"
#include "protocol/packets.h"
#include "protocol/wire.h"

namespace shadowproxy::protocol {

void ResponseTracker::Start(uint8_t command, uint32_t capabilities,
                            uint32_t mariadb_ext_capabilities) {
  *this = ResponseTracker();
  command_ = command;
  deprecate_eof_ = (capabilities & CLIENT_DEPRECATE_EOF) != 0;
  metadata_byte_ = (capabilities & CLIENT_OPTIONAL_RESULTSET_METADATA) != 0 ||
                   (mariadb_ext_capabilities & MARIADB_CLIENT_CACHE_METADATA) != 0;
  progress_ = (mariadb_ext_capabilities & MARIADB_CLIENT_PROGRESS) != 0;
  switch (command) {
    case COM_QUERY:
    case COM_STMT_EXECUTE:
    case COM_STMT_BULK_EXECUTE:
    case COM_PROCESS_INFO:
    case COM_STMT_PREPARE:
      phase_ = Phase::kFirst;
      break;
    case COM_STMT_FETCH:
      phase_ = Phase::kRows;
      break;
    case COM_FIELD_LIST:
      phase_ = Phase::kFieldList;
      break;
    case COM_BINLOG_DUMP:
    case COM_BINLOG_DUMP_GTID:
      phase_ = Phase::kBinlog;
      break;
    case COM_CHANGE_USER:
      phase_ = Phase::kChangeUser;
      break;
    case COM_QUIT:
    case COM_STMT_CLOSE:
    case COM_STMT_SEND_LONG_DATA:
      phase_ = Phase::kNoResponse;
      break;
    default:
      phase_ = Phase::kSingle;
      break;
  }
}

TrackerResult ResponseTracker::OnPacket(uint32_t length, const uint8_t* first_bytes,
                                        size_t available) {
  ++packets_;
  size_t n = std::min<size_t>(available, length);
  if (continuation_) {  // opaque tail of a payload >= 16 MiB
    continuation_ = length == kMaxPayload;
    if (!continuation_ && done_after_continuation_) {
      done_after_continuation_ = false;
      return TrackerResult::kDone;
    }
    return TrackerResult::kNeedMore;
  }
  if (phase_ == Phase::kDone || phase_ == Phase::kNoResponse) return TrackerResult::kProtocolError;
  continuation_ = length == kMaxPayload;
  TrackerResult r = Classify(length, first_bytes, n);
  if (r == TrackerResult::kDone && continuation_) {
    done_after_continuation_ = true;
    return TrackerResult::kNeedMore;
  }
  if (r == TrackerResult::kProtocolError) {
    phase_ = Phase::kDone;
    continuation_ = false;
  }
  return r;
}

TrackerResult ResponseTracker::Finish(bool error) {
  error_ = error;
  ++results_;
  phase_ = Phase::kDone;
  return TrackerResult::kDone;
}

bool ResponseTracker::ReadEndStatus(uint32_t length, const uint8_t* p, size_t n) {
  if (length < 7) {  // EOF: 0xFE, warnings(2), status(2); pre-4.1 EOF is the single byte
    if (length < 5) {
      status_flags_ = 0;
    } else if (n >= 5) {
      status_flags_ = static_cast<uint16_t>(p[3] | (p[4] << 8));
    } else {
      return false;
    }
    has_status_ = true;
    return true;
  }
  Reader r(std::span<const uint8_t>(p, n));
  r.Skip(1);
  r.LenencInt();
  r.LenencInt();
  uint16_t status = r.U16();
  if (!r.ok()) return false;
  status_flags_ = status;
  has_status_ = true;
  return true;
}

TrackerResult ResponseTracker::OnResultEnd(uint32_t length, const uint8_t* p, size_t n) {
  if (!ReadEndStatus(length, p, n)) return TrackerResult::kProtocolError;
  if (status_flags_ & SERVER_MORE_RESULTS_EXISTS) {
    ++results_;
    phase_ = Phase::kFirst;
    return TrackerResult::kNeedMore;
  }
  return Finish(false);
}

TrackerResult ResponseTracker::AfterColumns() {
  phase_ = deprecate_eof_ ? Phase::kRows : Phase::kColumnsEof;
  return TrackerResult::kNeedMore;
}

TrackerResult ResponseTracker::AfterPrepareParams() {
  if (prepare_columns_ == 0) return Finish(false);
  count_ = prepare_columns_;
  phase_ = Phase::kPrepareColumns;
  return TrackerResult::kNeedMore;
}

TrackerResult ResponseTracker::Classify(uint32_t length, const uint8_t* p, size_t n) {
  const bool has_byte = n >= 1;
  const uint8_t b = has_byte ? p[0] : 0;
  const bool is_err = has_byte && b == kErrHeader;
  const bool is_progress = is_err && progress_ && n >= 3 && p[1] == 0xFF && p[2] == 0xFF;
  const bool is_eof = has_byte && b == kEofHeader && length < 9;
  const bool is_end = has_byte && IsResultSetEnd(b, length, deprecate_eof_);

  if (is_progress && phase_ != Phase::kSingle && phase_ != Phase::kBinlog) {
    return TrackerResult::kNeedMore;
  }
  switch (phase_) {
    case Phase::kFirst: {
      if (!has_byte) return TrackerResult::kProtocolError;
      if (is_err) return Finish(true);
      if (b == kOkHeader && command_ == COM_STMT_PREPARE) {
        if (n < 9) return TrackerResult::kProtocolError;
        Reader r(std::span<const uint8_t>(p, n));
        r.Skip(1);
        statement_id_ = r.U32();
        prepare_columns_ = r.U16();
        count_ = r.U16();
        if (count_ == 0) return AfterPrepareParams();
        phase_ = Phase::kPrepareParams;
        return TrackerResult::kNeedMore;
      }
      if (b == kOkHeader) return OnResultEnd(length, p, n);
      if (b == kLocalInfileHeader) {
        // MariaDB also answers a prepared LOAD DATA LOCAL INFILE this way.
        if (command_ != COM_QUERY && command_ != COM_STMT_EXECUTE)
          return TrackerResult::kProtocolError;
        return TrackerResult::kLocalInfileRequest;  // then OK/ERR: stay in kFirst
      }
      if (b == kEofHeader && length < kMaxPayload) return OnResultEnd(length, p, n);
      Reader r(std::span<const uint8_t>(p, n));
      count_ = r.LenencInt();
      bool metadata_follows = true;
      if (metadata_byte_) metadata_follows = r.U8() != 0;
      if (!r.ok() || count_ == 0) return TrackerResult::kProtocolError;
      if (!metadata_follows) return AfterColumns();
      phase_ = Phase::kColumns;
      return TrackerResult::kNeedMore;
    }
    case Phase::kColumns:
      if (is_err) return Finish(true);
      if (--count_ == 0) return AfterColumns();
      return TrackerResult::kNeedMore;
    case Phase::kColumnsEof:
      if (is_err) return Finish(true);
      if (!is_eof) return TrackerResult::kProtocolError;
      if (!ReadEndStatus(length, p, n)) return TrackerResult::kProtocolError;
      if ((command_ == COM_STMT_EXECUTE || command_ == COM_STMT_BULK_EXECUTE) &&
          (status_flags_ & SERVER_STATUS_CURSOR_EXISTS)) {
        return Finish(false);  // rows come with COM_STMT_FETCH
      }
      phase_ = Phase::kRows;
      return TrackerResult::kNeedMore;
    case Phase::kRows:
      if (is_err) return Finish(true);
      if (is_end) return OnResultEnd(length, p, n);
      return TrackerResult::kNeedMore;
    case Phase::kPrepareParams:
      if (is_err) return Finish(true);
      if (--count_ > 0) return TrackerResult::kNeedMore;
      if (!deprecate_eof_) {
        phase_ = Phase::kPrepareParamsEof;
        return TrackerResult::kNeedMore;
      }
      return AfterPrepareParams();
    case Phase::kPrepareParamsEof:
      if (!is_eof) return TrackerResult::kProtocolError;
      if (!ReadEndStatus(length, p, n)) return TrackerResult::kProtocolError;
      return AfterPrepareParams();
    case Phase::kPrepareColumns:
      if (is_err) return Finish(true);
      if (--count_ > 0) return TrackerResult::kNeedMore;
      if (!deprecate_eof_) {
        phase_ = Phase::kPrepareColumnsEof;
        return TrackerResult::kNeedMore;
      }
      return Finish(false);
    case Phase::kPrepareColumnsEof:
      if (!is_eof) return TrackerResult::kProtocolError;
      if (!ReadEndStatus(length, p, n)) return TrackerResult::kProtocolError;
      return Finish(false);
    case Phase::kFieldList:
      if (is_err) return Finish(true);
      if (is_end) {
        if (!ReadEndStatus(length, p, n)) return TrackerResult::kProtocolError;
        return Finish(false);
      }
      if (!has_byte) return TrackerResult::kProtocolError;
      return TrackerResult::kNeedMore;
    case Phase::kSingle:
      if (is_progress) return TrackerResult::kNeedMore;
      if (is_err) return Finish(true);
      if (command_ != COM_STATISTICS && has_byte && (b == kOkHeader || is_end)) {
        if (!ReadEndStatus(length, p, n)) return TrackerResult::kProtocolError;
      }
      return Finish(false);
    case Phase::kBinlog:
      if (is_err) return Finish(true);
      if (is_eof) return Finish(false);
      return TrackerResult::kNeedMore;
    case Phase::kChangeUser:
      if (is_err) return Finish(true);
      if (has_byte && b == kOkHeader) {
        if (!ReadEndStatus(length, p, n)) return TrackerResult::kProtocolError;
        return Finish(false);
      }
      return TrackerResult::kNeedMore;
    case Phase::kDone:
    case Phase::kNoResponse:
      break;
  }
  return TrackerResult::kProtocolError;
}

}  // namespace shadowproxy::protocol
