// Opens a non-blocking TCP connection to the first live server of a cluster (SPEC.md §3:
// servers are tried in order, a dead one is skipped after connect_timeout). Lives on one loop.
#pragma once

#include <event2/event.h>

#include <functional>
#include <string>
#include <vector>

#include "base/config.h"

namespace shadowproxy::proxy {

class BackendDialer {
 public:
  // fd >= 0 on success (the caller owns it), server = index into cluster.servers;
  // fd < 0 on failure with a message naming every server tried.
  using Done = std::function<void(int fd, size_t server, const std::string& error)>;

  // `cluster` must outlive the dialer (it points into a config snapshot the session holds).
  BackendDialer(event_base* base, const ClusterConfig* cluster, Done done);
  ~BackendDialer();
  BackendDialer(const BackendDialer&) = delete;
  BackendDialer& operator=(const BackendDialer&) = delete;

  // Starts dialing; `done` is called exactly once, never from inside Start().
  void Start();

 private:
  static void OnEvent(evutil_socket_t fd, short what, void* arg);
  void TryNext();
  void Fail(const std::string& why);
  void Finish(int fd, const std::string& error);
  void CloseAttempt();

  event_base* base_;
  const ClusterConfig* cluster_;
  Done done_;
  std::vector<size_t> order_;
  size_t next_ = 0;
  size_t current_ = 0;
  int fd_ = -1;
  event* ev_ = nullptr;
  std::string errors_;
};

// Marks / queries servers that failed recently so that new sessions skip them first.
void NoteServerDown(const ServerAddress& server);
void NoteServerUp(const ServerAddress& server);
bool ServerRecentlyDown(const ServerAddress& server);

}  // namespace shadowproxy::proxy
