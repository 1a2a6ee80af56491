// Fuzzes PacketJoiner with an arbitrary byte stream fed in arbitrary chunks. Checks: it never
// reads out of bounds; the payloads it returns do not depend on how the stream is chunked; a
// re-framed payload (AppendPacket) joins back to itself.
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "protocol/packet.h"

using namespace shadowproxy::protocol;
using shadowproxy::fuzz::Input;

namespace {

struct Outcome {
  std::vector<std::string> payloads;
  bool error = false;
};

Outcome Run(const JoinerOptions& options, std::span<const uint8_t> stream,
            std::span<const uint8_t> chunk_sizes) {
  PacketJoiner j(options);
  Outcome o;
  size_t pos = 0;
  size_t k = 0;
  while (pos < stream.size()) {
    size_t n = chunk_sizes.empty() ? stream.size() : 1 + chunk_sizes[k++ % chunk_sizes.size()];
    if (n > stream.size() - pos) n = stream.size() - pos;
    j.Feed(stream.subspan(pos, n));
    pos += n;
    JoinedPayload p;
    PacketJoiner::State s;
    while ((s = j.Next(&p)) == PacketJoiner::State::kReady) o.payloads.push_back(p.payload);
    if (s == PacketJoiner::State::kError) {
      o.error = true;
      break;
    }
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  uint8_t flags = in.Byte();
  JoinerOptions options;
  options.check_sequence = flags & 1;
  options.max_allowed_packet = (flags & 2) ? 64 : (1u << 16);
  size_t nchunks = in.Byte() % 8;
  std::span<const uint8_t> chunks = in.Take(nchunks);
  std::span<const uint8_t> stream = in.Rest();

  Outcome whole = Run(options, stream, {});
  Outcome split = Run(options, stream, chunks);
  SP_FUZZ_CHECK(whole.error == split.error);
  SP_FUZZ_CHECK(whole.payloads == split.payloads);
  for (const std::string& p : whole.payloads) {
    SP_FUZZ_CHECK(p.size() <= options.max_allowed_packet);
    std::string framed;
    AppendPacket(&framed, 0, p);
    PacketJoiner again;
    again.Feed(framed);
    JoinedPayload out;
    SP_FUZZ_CHECK(again.Next(&out) == PacketJoiner::State::kReady);
    SP_FUZZ_CHECK(out.payload == p);
    SP_FUZZ_CHECK(again.buffered() == 0);
  }
  return 0;
}
