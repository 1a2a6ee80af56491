// The page's static files (console/web/), compiled into the binary at build time by
// embed_assets.cmake: no files to install next to it, nothing fetched from elsewhere.
#pragma once

#include <cstddef>
#include <string_view>

namespace shadowproxy::console {

struct Asset {
  std::string_view path;          // "/app.js"; "/index.html" is also served at "/"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view data;
};

// The asset at `path`, or nullptr.
const Asset* FindAsset(std::string_view path);

}  // namespace shadowproxy::console
