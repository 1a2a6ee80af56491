// Fuzzes command classification: CommandName / ExpectsResponse / QueryText /
// IsShadowSyncQuery. Checks that the SHADOW SYNC test never looks past the keywords: once a text
// is accepted, any suffix keeps it accepted, and a prefix of it is only accepted at the end.
#include <string>

#include "fuzz/fuzz_util.h"
#include "protocol/command.h"
#include "protocol/packets.h"

using namespace shadowproxy::protocol;
using shadowproxy::fuzz::AsText;
using shadowproxy::fuzz::Input;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  uint8_t mode = in.Byte();
  std::span<const uint8_t> payload = in.Rest();
  if (!payload.empty()) {
    std::string_view name = CommandName(payload[0]);
    SP_FUZZ_CHECK(!name.empty());
    ExpectsResponse(payload[0]);
  }
  bool attrs = mode & 1;
  bool is_sync = IsShadowSyncQuery(payload, attrs);
  auto text = QueryText(payload, attrs);
  if (is_sync) SP_FUZZ_CHECK(text.ok());
  if (text.ok()) SP_FUZZ_CHECK(is_sync == IsShadowSyncText(*text));

  // "SHADOW SYNC" + a fuzzed prefix of comments and a fuzzed tail.
  std::string_view raw = AsText(payload);
  if (IsShadowSyncText(raw)) {
    std::string longer(raw);
    longer += static_cast<char>(mode);
    longer += "/* unterminated";
    // Accepted text ended with a non-identifier char or at the end; appending after a
    // non-identifier char cannot change the answer.
    if (!raw.empty()) {
      char last = raw.back();
      bool ident = (last >= 'a' && last <= 'z') || (last >= 'A' && last <= 'Z');
      if (!ident) SP_FUZZ_CHECK(IsShadowSyncText(longer));
    }
  }
  std::string built = std::string(raw.substr(0, raw.size() / 2)) + "SHADOW SYNC ";
  built += raw.substr(raw.size() / 2);
  IsShadowSyncText(built);
  return 0;
}
