#include "proxy/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include "base/log.h"

namespace shadowproxy::proxy {

EventLoop::EventLoop(int index) : index_(index) {}

EventLoop::~EventLoop() {
  Stop();
  for (;;) {  // what arrived after the loop stopped (e.g. answers of late plugin jobs)
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (posted_.empty()) break;
    }
    RunPosted();
  }
  if (wake_ev_) event_free(wake_ev_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (base_) event_base_free(base_);
}

bool EventLoop::Init() {
  if (base_) return true;
  event_config* cfg = event_config_new();
  // Each base is touched by its own thread only; cross-thread work goes through Post().
  event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
  base_ = event_base_new_with_config(cfg);
  event_config_free(cfg);
  if (!base_) return false;
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return false;
  wake_ev_ = event_new(base_, wake_fd_, EV_READ | EV_PERSIST, &EventLoop::OnWake, this);
  if (!wake_ev_ || event_add(wake_ev_, nullptr) != 0) return false;
  return true;
}

bool EventLoop::Start() {
  if (!Init()) return false;
  running_ = true;
  thread_ = std::thread([this] {
    thread_id_ = std::this_thread::get_id();
    event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY);
  });
  return true;
}

void EventLoop::Stop() {
  if (!running_.exchange(false)) return;
  Post([this] { event_base_loopbreak(base_); });
  if (thread_.joinable()) thread_.join();
}

void EventLoop::Post(std::function<void()> fn) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(mu_);
    was_empty = posted_.empty();
    posted_.push_back(std::move(fn));
  }
  if (was_empty) {
    uint64_t one = 1;
    ssize_t n = write(wake_fd_, &one, sizeof(one));
    (void)n;
  }
}

void EventLoop::OnWake(evutil_socket_t fd, short, void* arg) {
  uint64_t v;
  ssize_t n = read(fd, &v, sizeof(v));
  (void)n;
  static_cast<EventLoop*>(arg)->RunPosted();
}

void EventLoop::RunPosted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

}  // namespace shadowproxy::proxy
