// TLS for both sides of a session (OpenSSL 3, libssl). A tls::Stream runs TLS over a
// non-blocking socket the session already owns, with the same Read/Write contract as the plain
// socket code (bytes, 0 on EOF, -1 would block, -2 error), so the relay stays zero-copy on its
// side of the evbuffers.
//
// Why not bufferevent_openssl: sessions are raw events + evbuffers whose front bytes are decided
// in place (session.h), and TLS starts in the middle of a conversation: after the plaintext
// SSLRequest, with the client's ClientHello possibly already read into the session's buffer, and
// towards a backend after our own plaintext SSLRequest. The stream's socket BIO first serves
// those bytes (pending input) and sends ours (pending output), then reads and writes the socket.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/config.h"
#include "base/status.h"

struct ssl_ctx_st;
struct ssl_st;
struct evbuffer;
struct bio_st;

namespace shadowproxy::tls {

using Context = std::shared_ptr<ssl_ctx_st>;

// A config key under listen.tls / clusters[].tls ("cert", "key", "ca") and what is wrong with it.
struct FileError {
  std::string key;
  std::string message;
};

// The context for client connections (listen.tls): certificate chain, key, optional client CA,
// minimum version. Null with *err set when a file is unreadable, not PEM, or cert and key do not
// match.
Context MakeServerContext(const ListenTlsConfig& config, FileError* err);
// The context for connections to a cluster's servers (clusters[].tls). Null when TLS is
// disabled (err->key empty) or a file is bad (err set).
Context MakeClientContext(const BackendTlsConfig& config, FileError* err);

// For the config loader: the same checks, nothing kept.
bool CheckServerFiles(const ListenTlsConfig& config, FileError* err);
bool CheckClientFiles(const BackendTlsConfig& config, FileError* err);

// The contexts of one config snapshot: built at start and on SIGHUP (certificates and keys are
// read again then), shared by the sessions that started under it.
struct Contexts {
  Context listen;                                         // null: no listen.tls
  std::vector<std::pair<std::string, Context>> clusters;  // null: tls.mode disabled
  const Context& ForCluster(const std::string& name) const;
};
using ContextsPtr = std::shared_ptr<const Contexts>;
// Error: the key path (listen.tls.cert, clusters[1].tls.ca) and what is wrong.
Result<ContextsPtr> MakeContexts(const Config& config);

class Stream {
 public:
  enum class Role { kAccept, kConnect };
  // `fd` stays the caller's (the stream never closes it).
  Stream(const Context& ctx, int fd, Role role);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Bytes already read from the socket that are the start of the TLS stream.
  void set_pending_in(std::string bytes) { pending_in_ = std::move(bytes); }
  // Plaintext to send before the first TLS byte (the SSLRequest packet to a backend).
  void set_pending_out(std::string bytes) { pending_out_ = std::move(bytes); }
  // kConnect: the server's host name for SNI and, when `verify_name`, certificate name checks.
  void SetPeerName(const std::string& host, bool verify_name);

  // Drive the handshake as needed, then move application bytes. Same results as the plain
  // socket functions: Read appends to buf (bytes, 0 EOF, -1 would block, -2 error); Write
  // sends and drains up to n front bytes of buf (bytes, -1 would block, -2 error).
  ssize_t Read(evbuffer* buf);
  ssize_t Write(evbuffer* buf, size_t n);
  // Best-effort close_notify before the caller closes the socket.
  void Shutdown();

  bool established() const { return established_; }
  // True once, right after the handshake completed (for logs and metrics).
  bool TakeEstablished();
  // What the last call that returned -1 waits for.
  bool wants_read() const { return want_ == Want::kRead; }
  bool wants_write() const { return want_ == Want::kWrite; }
  // Bytes the stream holds that no socket event will announce (read them now).
  bool has_buffered() const;
  // Why the last -2 happened (OpenSSL's reason).
  const std::string& error() const { return error_; }
  // "TLSv1.3", "TLSv1.2", ... once established.
  std::string version() const;

 private:
  enum class Want : uint8_t { kNone, kRead, kWrite };
  static int BioRead(::bio_st* bio, char* out, int n);
  static int BioWrite(::bio_st* bio, const char* in, int n);
  // 1 done, -1 blocked, -2 failed.
  int Handshake();
  // Sets want_ / error_ from the result of an SSL call; returns -1 (blocked), 0 (EOF) or -2.
  int Fail(int ret, bool reading);

  ssl_st* ssl_ = nullptr;
  int fd_;
  bool established_ = false;
  bool reported_ = false;
  Want want_ = Want::kNone;
  size_t retry_len_ = 0;  // length of an SSL_write that must be retried with the same bytes
  std::string pending_in_;
  size_t pending_in_pos_ = 0;
  std::string pending_out_;
  std::string error_;
};

}  // namespace shadowproxy::tls
