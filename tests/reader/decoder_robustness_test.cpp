// A bounded random-bytes test of the decoder (the fuzz target's job until a libFuzzer build
// exists): mutated copies of the recorded fixture, checksums off so the damage reaches every
// body decoder, and pure noise. Nothing may crash, hang or read out of bounds (run under
// ASan/UBSan: -DSANITIZE=address,undefined).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "reader/binlog_source.h"
#include "reader/event_decoder.h"
#include "reader/json_binary.h"
#include "reader/row_decoder.h"

namespace chameleon::reader {
namespace {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 17;
  }
  size_t Below(size_t bound) { return bound == 0 ? 0 : static_cast<size_t>(Next() % bound); }

 private:
  uint64_t state_;
};

std::vector<std::string> FixtureEvents() {
  const char* source = std::getenv("CHAMELEON_SOURCE_DIR");
  std::ifstream in(std::filesystem::path(source != nullptr ? source : ".") /
                       "tests/data/binlog/mariadb_10_11_types.binlog",
                   std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = buffer.str();
  BytesBinlogSource events(bytes);
  std::vector<std::string> out;
  while (auto raw = events.Next().value())
    out.emplace_back(*raw);
  return out;
}

// Decodes `raw` and, for a rows event, its values; the result does not matter.
void DecodeAll(EventDecoder& decoder, std::string_view raw, std::vector<RowChange>* changes) {
  BinlogEvent event;
  if (!decoder.Decode(raw, &event).ok()) return;
  if (event.kind == EventKind::kRows) (void)DecodeRowChanges(event.rows, changes);
}

TEST(DecoderRobustnessTest, MutatedFixtureEvents) {
  std::vector<std::string> events = FixtureEvents();
  ASSERT_GT(events.size(), 10U);
  Random random(20261126);
  std::vector<RowChange> changes;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  int rounds = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    EventDecoder decoder;
    decoder.set_verify_checksums(false);
    DecodeAll(decoder, events[0], &changes);  // FORMAT_DESCRIPTION
    for (size_t i = 1; i < events.size(); ++i) {
      std::string event = events[i];
      size_t mutations = 1 + random.Below(4);
      for (size_t m = 0; m < mutations && event.size() > 19; ++m) {
        size_t at = 19 + random.Below(event.size() - 19);  // keep the header's size honest
        switch (random.Below(3)) {
          case 0:
            event[at] = static_cast<char>(random.Next());
            break;
          case 1:
            event[at] = static_cast<char>(event[at] ^ (1 << random.Below(8)));
            break;
          default:
            event[at] = static_cast<char>(random.Below(2) == 0 ? 0xff : 0x00);
            break;
        }
      }
      if (random.Below(8) == 0 && event.size() > 20) {
        event.resize(19 + random.Below(event.size() - 19));
        // The header's event_size must match what the source hands over.
        auto size = static_cast<uint32_t>(event.size());
        for (int b = 0; b < 4; ++b)
          event[9 + static_cast<size_t>(b)] = static_cast<char>(size >> (8 * b));
      }
      DecodeAll(decoder, event, &changes);
    }
    ++rounds;
  }
  EXPECT_GT(rounds, 10);
}

TEST(DecoderRobustnessTest, NoiseEventsAndJson) {
  Random random(7);
  std::vector<RowChange> changes;
  EventDecoder decoder;
  decoder.set_verify_checksums(false);
  for (int i = 0; i < 200000; ++i) {
    size_t size = 19 + random.Below(200);
    std::string event(size, '\0');
    for (char& c : event)
      c = static_cast<char>(random.Next());
    event[4] = static_cast<char>(random.Below(4) == 0   ? 19
                                 : random.Below(2) == 0 ? 23
                                                        : random.Next());
    for (int b = 0; b < 4; ++b)
      event[9 + static_cast<size_t>(b)] = static_cast<char>(size >> (8 * b));
    DecodeAll(decoder, event, &changes);
    std::string json(random.Below(64), '\0');
    for (char& c : json)
      c = static_cast<char>(random.Below(4) == 0 ? random.Below(16) : random.Next());
    (void)JsonBinaryToText(json);
  }
}

}  // namespace
}  // namespace chameleon::reader
