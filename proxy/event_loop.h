// One libevent event_base on its own thread (DESIGN.md §2 "Event loops"). Sessions live on one
// loop for life; other threads hand work to a loop with Post() (a mutex-guarded queue + eventfd).
#pragma once

#include <event2/event.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace shadowproxy::proxy {

class EventLoop {
 public:
  explicit EventLoop(int index);
  ~EventLoop();  // runs functions still queued (after Stop) before freeing the base
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Creates the base (so listeners can be attached before the thread runs). Idempotent.
  bool Init();
  // Starts the thread running the loop (calls Init()). False if libevent failed to set up.
  bool Start();
  // Breaks the loop and joins the thread. Idempotent.
  void Stop();

  // Runs fn on the loop's thread, in order. Thread-safe.
  void Post(std::function<void()> fn);

  event_base* base() const { return base_; }
  int index() const { return index_; }
  bool InLoopThread() const { return std::this_thread::get_id() == thread_id_; }

  // A per-loop scratch area (loop thread only).
  std::string& scratch() { return scratch_; }

 private:
  static void OnWake(evutil_socket_t fd, short what, void* arg);
  void RunPosted();

  int index_;
  event_base* base_ = nullptr;
  int wake_fd_ = -1;
  event* wake_ev_ = nullptr;
  std::thread thread_;
  std::thread::id thread_id_;
  std::mutex mu_;
  std::vector<std::function<void()>> posted_;
  std::string scratch_;
  std::atomic<bool> running_{false};
};

}  // namespace shadowproxy::proxy
