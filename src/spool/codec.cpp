// Spool byte encodings; the layout is specified in FORMAT.md and format.h.
#include "spool/codec.h"

#include <bit>
#include <cstring>
#include <limits>

#include "spool/format.h"

namespace chameleon::spool {
namespace {

void PutByte(std::string* out, uint8_t byte) {
  out->push_back(static_cast<char>(byte));
}

void PutBigEndian(std::string* out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    PutByte(out, static_cast<uint8_t>(value >> shift));
  }
}

void PutLittleEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    PutByte(out, static_cast<uint8_t>(value >> (8 * i)));
}

void PutVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    PutByte(out, static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  PutByte(out, static_cast<uint8_t>(value));
}

// Zigzag keeps small negative numbers (TIME before midnight, pre-1970 TIMESTAMPs) short.
void PutSignedVarint(std::string* out, int64_t value) {
  PutVarint(out, (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
}

void PutBytes(std::string* out, std::string_view bytes) {
  PutVarint(out, bytes.size());
  out->append(bytes);
}

// Reads what the Put* functions wrote; every Read returns false when the input runs out or
// is malformed, and the caller turns that into one Corruption status.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  bool empty() const { return bytes_.empty(); }

  bool Byte(uint8_t& out) {
    if (bytes_.empty()) return false;
    out = static_cast<uint8_t>(bytes_.front());
    bytes_.remove_prefix(1);
    return true;
  }

  bool BigEndian(uint64_t& out, int bytes) {
    if (bytes_.size() < static_cast<size_t>(bytes)) return false;
    out = 0;
    for (int i = 0; i < bytes; ++i) {
      out = (out << 8) | static_cast<uint8_t>(bytes_[static_cast<size_t>(i)]);
    }
    bytes_.remove_prefix(static_cast<size_t>(bytes));
    return true;
  }

  bool LittleEndian(uint64_t& out, int bytes) {
    if (bytes_.size() < static_cast<size_t>(bytes)) return false;
    out = 0;
    for (int i = bytes - 1; i >= 0; --i) {
      out = (out << 8) | static_cast<uint8_t>(bytes_[static_cast<size_t>(i)]);
    }
    bytes_.remove_prefix(static_cast<size_t>(bytes));
    return true;
  }

  bool Varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t byte = 0;
      if (!Byte(byte)) return false;
      // The tenth byte may only hold the top bit of a 64-bit value.
      if (shift == 63 && byte > 1) return false;
      out |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }

  bool SignedVarint(int64_t& out) {
    uint64_t zigzag = 0;
    if (!Varint(zigzag)) return false;
    out = static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
    return true;
  }

  template <typename T>
  bool Narrow(T& out) {
    uint64_t wide = 0;
    if (!Varint(wide) || wide > std::numeric_limits<T>::max()) return false;
    out = static_cast<T>(wide);
    return true;
  }

  bool Bytes(std::string& out) {
    uint64_t size = 0;
    if (!Varint(size) || size > bytes_.size()) return false;
    out.assign(bytes_.data(), static_cast<size_t>(size));
    bytes_.remove_prefix(static_cast<size_t>(size));
    return true;
  }

 private:
  std::string_view bytes_;
};

Status Truncated(const char* what) {
  return Status::Corruption(std::string("spool: malformed or truncated ") + what);
}

void EncodeValue(const Value& value, std::string* out) {
  PutByte(out, static_cast<uint8_t>(value.type()));
  switch (value.type()) {
    case ValueType::kNull:
      return;
    case ValueType::kInt:
    case ValueType::kTime:
    case ValueType::kTimestamp:
      PutSignedVarint(out, value.int_value());
      return;
    case ValueType::kUInt:
    case ValueType::kYear:
      PutVarint(out, value.uint_value());
      return;
    case ValueType::kBit:
      PutByte(out, value.bit_width());
      PutVarint(out, value.uint_value());
      return;
    case ValueType::kFloat:
      PutLittleEndian(out, std::bit_cast<uint32_t>(static_cast<float>(value.double_value())), 4);
      return;
    case ValueType::kDouble:
      PutLittleEndian(out, std::bit_cast<uint64_t>(value.double_value()), 8);
      return;
    case ValueType::kDate: {
      Date date = value.date();
      PutVarint(out, date.year);
      PutByte(out, date.month);
      PutByte(out, date.day);
      return;
    }
    case ValueType::kDateTime: {
      DateTime dt = value.datetime();
      PutVarint(out, dt.year);
      PutByte(out, dt.month);
      PutByte(out, dt.day);
      PutByte(out, dt.hour);
      PutByte(out, dt.minute);
      PutByte(out, dt.second);
      PutVarint(out, dt.microsecond);
      return;
    }
    case ValueType::kDecimal:
    case ValueType::kString:
    case ValueType::kBytes:
    case ValueType::kEnum:
    case ValueType::kSet:
    case ValueType::kJson:
      PutBytes(out, value.text());
      return;
  }
}

bool DecodeValue(ByteReader& in, Value& value) {
  uint8_t tag = 0;
  if (!in.Byte(tag) || tag > kLastValueType) return false;
  auto type = static_cast<ValueType>(tag);
  switch (type) {
    case ValueType::kNull:
      value = Value::Null();
      return true;
    case ValueType::kInt:
    case ValueType::kTime:
    case ValueType::kTimestamp: {
      int64_t number = 0;
      if (!in.SignedVarint(number)) return false;
      value = type == ValueType::kInt    ? Value::Int(number)
              : type == ValueType::kTime ? Value::Time(number)
                                         : Value::Timestamp(number);
      return true;
    }
    case ValueType::kUInt: {
      uint64_t number = 0;
      if (!in.Varint(number)) return false;
      value = Value::UInt(number);
      return true;
    }
    case ValueType::kYear: {
      uint16_t year = 0;
      if (!in.Narrow(year)) return false;
      value = Value::Year(year);
      return true;
    }
    case ValueType::kBit: {
      uint8_t width = 0;
      uint64_t bits = 0;
      if (!in.Byte(width) || !in.Varint(bits)) return false;
      value = Value::Bit(bits, width);
      return true;
    }
    case ValueType::kFloat: {
      uint64_t bits = 0;
      if (!in.LittleEndian(bits, 4)) return false;
      value = Value::Float(std::bit_cast<float>(static_cast<uint32_t>(bits)));
      return true;
    }
    case ValueType::kDouble: {
      uint64_t bits = 0;
      if (!in.LittleEndian(bits, 8)) return false;
      value = Value::Double(std::bit_cast<double>(bits));
      return true;
    }
    case ValueType::kDate: {
      Date date;
      if (!in.Narrow(date.year) || !in.Byte(date.month) || !in.Byte(date.day)) return false;
      value = Value::MakeDate(date);
      return true;
    }
    case ValueType::kDateTime: {
      DateTime dt;
      if (!in.Narrow(dt.year) || !in.Byte(dt.month) || !in.Byte(dt.day) || !in.Byte(dt.hour) ||
          !in.Byte(dt.minute) || !in.Byte(dt.second) || !in.Narrow(dt.microsecond)) {
        return false;
      }
      value = Value::MakeDateTime(dt);
      return true;
    }
    case ValueType::kDecimal:
    case ValueType::kString:
    case ValueType::kBytes:
    case ValueType::kEnum:
    case ValueType::kSet:
    case ValueType::kJson: {
      std::string text;
      if (!in.Bytes(text)) return false;
      switch (type) {
        case ValueType::kDecimal:
          value = Value::Decimal(std::move(text));
          break;
        case ValueType::kString:
          value = Value::String(std::move(text));
          break;
        case ValueType::kBytes:
          value = Value::Bytes(std::move(text));
          break;
        case ValueType::kEnum:
          value = Value::Enum(std::move(text));
          break;
        case ValueType::kSet:
          value = Value::Set(std::move(text));
          break;
        default:
          value = Value::Json(std::move(text));
          break;
      }
      return true;
    }
  }
  return false;
}

void EncodeImage(const std::vector<Value>& values, std::string* out) {
  PutVarint(out, values.size());
  for (const Value& value : values)
    EncodeValue(value, out);
}

bool DecodeImage(ByteReader& in, std::vector<Value>& values) {
  uint64_t count = 0;
  // Every value takes at least one byte: a larger count is corruption, not a huge allocation.
  if (!in.Varint(count) || count > (1U << 20)) return false;
  values.resize(static_cast<size_t>(count));
  for (Value& value : values) {
    if (!DecodeValue(in, value)) return false;
  }
  return true;
}

Status CheckRecordVersion(ByteReader& in, const char* what) {
  uint8_t version = 0;
  if (!in.Byte(version)) return Truncated(what);
  if (version != format::kRecordVersion) {
    return Status::Corruption(std::string("spool: ") + what + " has record version " +
                              std::to_string(version) + ", this chameleon reads version " +
                              std::to_string(format::kRecordVersion) + " (upgrade chameleon)");
  }
  return Status::Ok();
}

void PutEventKeyInto(std::string* out, const EventKey& key) {
  AppendEventKey(key, out);
}

void PutPosition(std::string* out, const BinlogPosition& position) {
  PutBigEndian(out, position.file_number, 4);
  PutBigEndian(out, position.position, 8);
}

bool ReadPosition(ByteReader& in, BinlogPosition& position) {
  uint64_t file = 0;
  if (!in.BigEndian(file, 4) || !in.BigEndian(position.position, 8)) return false;
  position.file_number = static_cast<uint32_t>(file);
  return true;
}

bool ReadEventKey(ByteReader& in, EventKey& key) {
  uint64_t source = 0;
  uint64_t file = 0;
  uint64_t sequence = 0;
  if (!in.BigEndian(source, 4) || !in.BigEndian(file, 4) ||
      !in.BigEndian(key.position.position, 8) || !in.BigEndian(sequence, 4)) {
    return false;
  }
  key.source_id = static_cast<uint32_t>(source);
  key.position.file_number = static_cast<uint32_t>(file);
  key.sequence = static_cast<uint32_t>(sequence);
  return true;
}

}  // namespace

void AppendEventKey(const EventKey& key, std::string* out) {
  PutBigEndian(out, key.source_id, 4);
  PutBigEndian(out, key.position.file_number, 4);
  PutBigEndian(out, key.position.position, 8);
  PutBigEndian(out, key.sequence, 4);
}

std::string EncodeEventKey(const EventKey& key) {
  std::string out;
  out.reserve(format::kEventKeySize);
  AppendEventKey(key, &out);
  return out;
}

Result<EventKey> DecodeEventKey(std::string_view bytes) {
  ByteReader in(bytes);
  EventKey key;
  if (bytes.size() != format::kEventKeySize || !ReadEventKey(in, key)) {
    return Truncated("event key");
  }
  return key;
}

EventKey KeyOf(uint32_t source_id, const ChangeEvent& event) {
  return EventKey{source_id, event.position, event.sequence};
}

std::string KeySuccessor(const EventKey& key) {
  std::string out = EncodeEventKey(key);
  out.push_back('\0');
  return out;
}

void EncodeEventValue(const ChangeEvent& event, std::string* out) {
  out->clear();
  PutByte(out, format::kEventFormatVersion);
  PutByte(out, 0);  // flags
  PutByte(out, static_cast<uint8_t>(event.operation));
  PutVarint(out, event.source_timestamp_seconds);
  PutVarint(out, event.shape_version);
  PutBytes(out, event.gtid);
  PutBytes(out, event.schema);
  PutBytes(out, event.table);
  EncodeImage(event.before, out);
  EncodeImage(event.after, out);
  PutBytes(out, event.ddl_statement);
  PutBytes(out, event.ddl_parsed);
}

Status DecodeEventValue(std::string_view value, ChangeEvent* event) {
  ByteReader in(value);
  uint8_t version = 0;
  uint8_t flags = 0;
  uint8_t operation = 0;
  if (!in.Byte(version)) return Truncated("event value");
  if (version != format::kEventFormatVersion) {
    return Status::Corruption("spool: event value has format version " + std::to_string(version) +
                              ", this chameleon reads version " +
                              std::to_string(format::kEventFormatVersion) +
                              " (a newer chameleon wrote it: upgrade chameleon)");
  }
  if (!in.Byte(flags) || !in.Byte(operation)) return Truncated("event value");
  if ((flags & ~format::kKnownEventFlags) != 0) {
    return Status::Corruption("spool: event value has unknown flags " + std::to_string(flags));
  }
  if (operation < static_cast<uint8_t>(Operation::kInsert) ||
      operation > static_cast<uint8_t>(Operation::kCommit)) {
    return Status::Corruption("spool: event value has unknown operation " +
                              std::to_string(operation));
  }
  event->operation = static_cast<Operation>(operation);
  if (!in.Narrow(event->source_timestamp_seconds) || !in.Narrow(event->shape_version) ||
      !in.Bytes(event->gtid) || !in.Bytes(event->schema) || !in.Bytes(event->table) ||
      !DecodeImage(in, event->before) || !DecodeImage(in, event->after) ||
      !in.Bytes(event->ddl_statement) || !in.Bytes(event->ddl_parsed)) {
    return Truncated("event value");
  }
  if (!in.empty()) return Status::Corruption("spool: event value has trailing bytes");
  return Status::Ok();
}

Status DecodeStoredEvent(std::string_view key, std::string_view value, ChangeEvent* event) {
  ASSIGN_OR_RETURN(EventKey decoded, DecodeEventKey(key));
  event->position = decoded.position;
  event->sequence = decoded.sequence;
  return DecodeEventValue(value, event)
      .WithContext("event " + ToString(decoded.position) + "#" + std::to_string(decoded.sequence));
}

std::string ShapeKey(std::string_view schema, std::string_view table, uint32_t version) {
  std::string key(format::kShapePrefix);
  key.append(schema);
  key.push_back('\0');
  key.append(table);
  key.push_back('\0');
  PutBigEndian(&key, version, 4);
  return key;
}

std::string EncodeTableShape(const TableShape& shape) {
  std::string out;
  PutByte(&out, format::kRecordVersion);
  PutBytes(&out, shape.schema);
  PutBytes(&out, shape.table);
  PutVarint(&out, shape.version);
  PutVarint(&out, shape.columns.size());
  for (const ColumnShape& column : shape.columns) {
    PutBytes(&out, column.name);
    PutByte(&out, column.type_code);
    PutVarint(&out, column.metadata);
    PutByte(&out, static_cast<uint8_t>((column.is_unsigned ? 1 : 0) | (column.nullable ? 2 : 0)));
    PutBytes(&out, column.column_type);
  }
  PutVarint(&out, shape.primary_key.size());
  for (uint32_t index : shape.primary_key)
    PutVarint(&out, index);
  return out;
}

Result<TableShape> DecodeTableShape(std::string_view value) {
  ByteReader in(value);
  RETURN_IF_ERROR(CheckRecordVersion(in, "table shape"));
  TableShape shape;
  uint64_t columns = 0;
  if (!in.Bytes(shape.schema) || !in.Bytes(shape.table) || !in.Narrow(shape.version) ||
      !in.Varint(columns) || columns > value.size()) {
    return Truncated("table shape");
  }
  shape.columns.resize(static_cast<size_t>(columns));
  for (ColumnShape& column : shape.columns) {
    uint8_t flags = 0;
    if (!in.Bytes(column.name) || !in.Byte(column.type_code) || !in.Narrow(column.metadata) ||
        !in.Byte(flags) || !in.Bytes(column.column_type)) {
      return Truncated("table shape");
    }
    column.is_unsigned = (flags & 1) != 0;
    column.nullable = (flags & 2) != 0;
  }
  uint64_t keys = 0;
  if (!in.Varint(keys) || keys > columns) return Truncated("table shape");
  shape.primary_key.resize(static_cast<size_t>(keys));
  for (uint32_t& index : shape.primary_key) {
    if (!in.Narrow(index)) return Truncated("table shape");
  }
  if (!in.empty()) return Truncated("table shape");
  return shape;
}

std::string BatchKey(uint64_t batch_id) {
  std::string key(format::kBatchPrefix);
  PutBigEndian(&key, batch_id, 8);
  return key;
}

Result<uint64_t> DecodeBatchKey(std::string_view key) {
  if (key.substr(0, format::kBatchPrefix.size()) != format::kBatchPrefix) {
    return Truncated("batch key");
  }
  ByteReader in(key.substr(format::kBatchPrefix.size()));
  uint64_t id = 0;
  if (!in.BigEndian(id, 8) || !in.empty()) return Truncated("batch key");
  return id;
}

std::string EncodeBatchRecord(const BatchInfo& batch) {
  std::string out;
  PutByte(&out, format::kRecordVersion);
  PutByte(&out, static_cast<uint8_t>(batch.state));
  PutEventKeyInto(&out, batch.first_key);
  PutEventKeyInto(&out, batch.last_key);
  PutVarint(&out, batch.event_count);
  PutVarint(&out, batch.payload_bytes);
  if (batch.resume) PutPosition(&out, *batch.resume);  // optional trailing field
  return out;
}

Result<BatchInfo> DecodeBatchRecord(uint64_t batch_id, std::string_view value) {
  ByteReader in(value);
  RETURN_IF_ERROR(CheckRecordVersion(in, "batch record"));
  BatchInfo batch;
  batch.id = batch_id;
  uint8_t state = 0;
  if (!in.Byte(state) || state < static_cast<uint8_t>(BatchState::kOpen) ||
      state > static_cast<uint8_t>(BatchState::kReplayed) || !ReadEventKey(in, batch.first_key) ||
      !ReadEventKey(in, batch.last_key) || !in.Varint(batch.event_count) ||
      !in.Varint(batch.payload_bytes)) {
    return Truncated("batch record");
  }
  if (!in.empty()) {
    BinlogPosition resume;
    if (!ReadPosition(in, resume) || !in.empty()) return Truncated("batch record");
    batch.resume = resume;
  }
  batch.state = static_cast<BatchState>(state);
  return batch;
}

std::string EncodeWriterRecord(const WriterRecord& record) {
  std::string out;
  PutByte(&out, format::kRecordVersion);
  PutByte(&out, record.resume ? 1 : 0);
  if (record.resume) PutPosition(&out, *record.resume);
  PutVarint(&out, record.open_batch_id);
  PutVarint(&out, record.open_event_count);
  PutVarint(&out, record.open_payload_bytes);
  PutEventKeyInto(&out, record.open_last_key);
  return out;
}

Result<WriterRecord> DecodeWriterRecord(std::string_view value) {
  ByteReader in(value);
  RETURN_IF_ERROR(CheckRecordVersion(in, "writer record"));
  WriterRecord record;
  uint8_t has_resume = 0;
  if (!in.Byte(has_resume) || has_resume > 1) return Truncated("writer record");
  if (has_resume == 1) {
    BinlogPosition resume;
    if (!ReadPosition(in, resume)) return Truncated("writer record");
    record.resume = resume;
  }
  if (!in.Varint(record.open_batch_id) || !in.Varint(record.open_event_count) ||
      !in.Varint(record.open_payload_bytes) || !ReadEventKey(in, record.open_last_key) ||
      !in.empty()) {
    return Truncated("writer record");
  }
  return record;
}

std::string EncodeReplayedRecord(const ReplayedRecord& record) {
  std::string out;
  PutByte(&out, format::kRecordVersion);
  PutVarint(&out, record.batch_id);
  PutEventKeyInto(&out, record.last_key);
  return out;
}

Result<ReplayedRecord> DecodeReplayedRecord(std::string_view value) {
  ByteReader in(value);
  RETURN_IF_ERROR(CheckRecordVersion(in, "replayed record"));
  ReplayedRecord record;
  if (!in.Varint(record.batch_id) || !ReadEventKey(in, record.last_key) || !in.empty()) {
    return Truncated("replayed record");
  }
  return record;
}

std::string EncodeFixed32(uint32_t value) {
  std::string out;
  PutBigEndian(&out, value, 4);
  return out;
}

Result<uint32_t> DecodeFixed32(std::string_view bytes) {
  ByteReader in(bytes);
  uint64_t value = 0;
  if (!in.BigEndian(value, 4) || !in.empty()) return Truncated("fixed32");
  return static_cast<uint32_t>(value);
}

}  // namespace chameleon::spool
