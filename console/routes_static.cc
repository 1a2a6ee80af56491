// The page: index.html, app.js, app.css from the binary (assets.h).
#include "console/assets.h"
#include "console/routes.h"

namespace shadowproxy::console {

void AddStaticRoutes(httplib::Server& server) {
  server.Get(R"(/([A-Za-z0-9_.-]*))", [](const httplib::Request& req, httplib::Response& res) {
    const Asset* a = FindAsset(req.path);
    if (a == nullptr) {
      res.status = 404;  // the error handler writes the JSON body
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(a->data), std::string(a->content_type));
  });
}

}  // namespace shadowproxy::console
