#include "proxy/loop_context.h"

#include <event2/listener.h>

#include <algorithm>
#include <ctime>

#include "base/metrics.h"
#include "protocol/command.h"

namespace shadowproxy::proxy {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void SessionList::Add(Node* n) {
  n->next_ = head_;
  if (head_) head_->prev_ = n;
  head_ = n;
}

void SessionList::Remove(Node* n) {
  if (n->prev_)
    n->prev_->next_ = n->next_;
  else if (head_ == n)
    head_ = n->next_;
  if (n->next_) n->next_->prev_ = n->prev_;
  n->prev_ = n->next_ = nullptr;
}

void SessionList::ForEach(const std::function<void(Node*)>& fn) {
  for (Node* n = head_; n;) {
    Node* next = n->next_;
    fn(n);
    n = next;
  }
}

LoopContext::~LoopContext() {
  if (listener) evconnlistener_free(listener);
  if (flush_timer) event_free(flush_timer);
}

void LoopContext::RecordCommand(uint8_t command, int64_t duration_ns) {
  auto& c = stats_.commands[command];
  const auto& bounds = metrics::CommandBuckets();
  if (c.buckets.empty()) c.buckets.assign(bounds.size() + 1, 0.0);
  double secs = static_cast<double>(duration_ns) / 1e9;
  size_t i = 0;
  while (i < bounds.size() && bounds[i] < secs) ++i;
  c.buckets[i] += 1;
  c.sum += secs;
  ++c.count;
  stats_.any_command = true;
}

void LoopContext::FlushStats() {
  if (stats_.bytes_c2b) metrics::BytesClientToBackend().Increment(stats_.bytes_c2b);
  if (stats_.bytes_b2c) metrics::BytesBackendToClient().Increment(stats_.bytes_b2c);
  stats_.bytes_c2b = stats_.bytes_b2c = 0;
  if (!stats_.any_command) return;
  for (size_t cmd = 0; cmd < stats_.commands.size(); ++cmd) {
    auto& c = stats_.commands[cmd];
    if (c.count == 0) continue;
    auto byte = static_cast<uint8_t>(cmd);
    std::string_view name = protocol::CommandName(byte);
    metrics::CommandsTotal(byte, name).Increment(static_cast<double>(c.count));
    metrics::CommandDuration(byte, name).ObserveMultiple(c.buckets, c.sum);
    c.count = 0;
    c.sum = 0;
    std::fill(c.buckets.begin(), c.buckets.end(), 0.0);
  }
  stats_.any_command = false;
}

}  // namespace shadowproxy::proxy
