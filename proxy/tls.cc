#include "proxy/tls.h"

#include <event2/buffer.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace shadowproxy::tls {

namespace {

constexpr size_t kReadChunk = 16 * 1024;    // one TLS record's plaintext at most
constexpr size_t kReadBudget = 256 * 1024;  // per Read call, for fairness between sessions

// OpenSSL's reason for the last failure on this thread, and clears the queue.
std::string TakeErrors(const char* fallback) {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    // "error:0A000086:SSL routines::certificate verify failed" -> the part after "::"
    const char* reason = std::strstr(buf, "::");
    if (!out.empty()) out += "; ";
    out += reason ? reason + 2 : buf;
  }
  return out.empty() ? fallback : out;
}

void Free(SSL_CTX* ctx) { SSL_CTX_free(ctx); }

Context Fail(FileError* err, const char* key, const std::string& what) {
  err->key = key;
  err->message = what;
  ERR_clear_error();
  return nullptr;
}

bool Readable(const std::string& path, const char* key, FileError* err) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    Fail(err, key, "cannot read " + path + ": " + std::strerror(errno));
    return false;
  }
  std::fclose(f);
  return true;
}

// What every context of ours runs with: partial writes from a moving evbuffer front, buffers
// released while idle (idle sessions stay small), read-ahead (one recv per wake-up).
void SetModes(SSL_CTX* c) {
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_read_ahead(c, 1);
}

// The certificate chain and its key; false with *err set when either is bad or they differ.
bool UseCertificate(SSL_CTX* c, const std::string& cert, const std::string& key, FileError* err) {
  if (SSL_CTX_use_certificate_chain_file(c, cert.c_str()) != 1)
    return Fail(err, "cert", cert + ": " + TakeErrors("not a PEM certificate")), false;
  if (SSL_CTX_use_PrivateKey_file(c, key.c_str(), SSL_FILETYPE_PEM) != 1)
    return Fail(err, "key", key + ": " + TakeErrors("not a PEM private key")), false;
  if (SSL_CTX_check_private_key(c) != 1)
    return Fail(err, "key", key + " does not match the certificate " + cert), false;
  return true;
}

BIO_METHOD* SocketMethod(int (*rd)(BIO*, char*, int), int (*wr)(BIO*, const char*, int)) {
  static BIO_METHOD* method = [&] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "shadowproxy");
    BIO_meth_set_read(m, rd);
    BIO_meth_set_write(m, wr);
    BIO_meth_set_ctrl(
        m, [](BIO*, int cmd, long, void*) -> long { return cmd == BIO_CTRL_FLUSH ? 1 : 0; });
    BIO_meth_set_create(m, [](BIO* b) {
      BIO_set_init(b, 1);
      return 1;
    });
    return m;
  }();
  return method;
}

}  // namespace

Context MakeServerContext(const ListenTlsConfig& config, FileError* err) {
  ERR_clear_error();
  if (!Readable(config.cert, "cert", err) || !Readable(config.key, "key", err)) return nullptr;
  if (!config.ca.empty() && !Readable(config.ca, "ca", err)) return nullptr;
  Context ctx(SSL_CTX_new(TLS_server_method()), Free);
  if (!ctx) return Fail(err, "cert", TakeErrors("cannot create a TLS context"));
  SSL_CTX* c = ctx.get();
  SSL_CTX_set_min_proto_version(c,
                                config.min_version == "TLSv1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(
      c, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SetModes(c);
  if (!UseCertificate(c, config.cert, config.key, err)) return nullptr;
  if (!config.ca.empty()) {
    if (SSL_CTX_load_verify_locations(c, config.ca.c_str(), nullptr) != 1)
      return Fail(err, "ca", config.ca + ": " + TakeErrors("not a PEM CA file"));
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  // Resumption (tickets, on by default, and the session cache) needs a context id when client
  // certificates are verified.
  static const unsigned char kSessionContext[] = "shadowproxy";
  SSL_CTX_set_session_id_context(c, kSessionContext, sizeof(kSessionContext) - 1);
  return ctx;
}

Context MakeClientContext(const BackendTlsConfig& config, FileError* err) {
  ERR_clear_error();
  err->key.clear();
  if (config.mode == BackendTlsMode::kDisabled) return nullptr;
  for (auto [path, key] :
       {std::pair{&config.ca, "ca"}, {&config.cert, "cert"}, {&config.key, "key"}})
    if (!path->empty() && !Readable(*path, key, err)) return nullptr;
  Context ctx(SSL_CTX_new(TLS_client_method()), Free);
  if (!ctx) return Fail(err, "mode", TakeErrors("cannot create a TLS context"));
  SSL_CTX* c = ctx.get();
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SetModes(c);
  if (!config.ca.empty() && SSL_CTX_load_verify_locations(c, config.ca.c_str(), nullptr) != 1)
    return Fail(err, "ca", config.ca + ": " + TakeErrors("not a PEM CA file"));
  if (!config.cert.empty() && !UseCertificate(c, config.cert, config.key, err)) return nullptr;
  bool verify =
      config.mode == BackendTlsMode::kVerifyCa || config.mode == BackendTlsMode::kVerifyIdentity;
  SSL_CTX_set_verify(c, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  return ctx;
}

bool CheckServerFiles(const ListenTlsConfig& config, FileError* err) {
  return MakeServerContext(config, err) != nullptr;
}

bool CheckClientFiles(const BackendTlsConfig& config, FileError* err) {
  return MakeClientContext(config, err) != nullptr || err->key.empty();
}

const Context& Contexts::ForCluster(const std::string& name) const {
  static const Context kNone;
  for (const auto& [cluster, ctx] : clusters)
    if (cluster == name) return ctx;
  return kNone;
}

Result<ContextsPtr> MakeContexts(const Config& config) {
  auto out = std::make_shared<Contexts>();
  FileError err;
  if (config.listen.tls.enabled) {
    out->listen = MakeServerContext(config.listen.tls, &err);
    if (!out->listen) return Status(errc::kInternal, "listen.tls." + err.key + ": " + err.message);
  }
  for (size_t i = 0; i < config.clusters.size(); ++i) {
    const ClusterConfig& c = config.clusters[i];
    Context ctx = MakeClientContext(c.tls, &err);
    if (!ctx && !err.key.empty())
      return Status(errc::kInternal,
                    "clusters[" + std::to_string(i) + "].tls." + err.key + ": " + err.message);
    out->clusters.emplace_back(c.name, std::move(ctx));
  }
  return ContextsPtr(std::move(out));
}

Stream::Stream(const Context& ctx, int fd, Role role) : fd_(fd) {
  ssl_ = SSL_new(ctx.get());
  BIO* bio = BIO_new(SocketMethod(&Stream::BioRead, &Stream::BioWrite));
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);
  if (role == Role::kAccept)
    SSL_set_accept_state(ssl_);
  else
    SSL_set_connect_state(ssl_);
}

Stream::~Stream() { SSL_free(ssl_); }

void Stream::SetPeerName(const std::string& host, bool verify_name) {
  bool is_ip = false;
  if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str())) {
    is_ip = true;
    ASN1_OCTET_STRING_free(ip);
  }
  if (!is_ip) SSL_set_tlsext_host_name(ssl_, host.c_str());
  if (verify_name) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    if (is_ip)
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    else
      SSL_set1_host(ssl_, host.c_str());
  }
}

int Stream::BioRead(BIO* bio, char* out, int n) {
  auto* s = static_cast<Stream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (s->pending_in_pos_ < s->pending_in_.size()) {
    size_t k = std::min(static_cast<size_t>(n), s->pending_in_.size() - s->pending_in_pos_);
    std::memcpy(out, s->pending_in_.data() + s->pending_in_pos_, k);
    s->pending_in_pos_ += k;
    if (s->pending_in_pos_ == s->pending_in_.size()) {
      std::string().swap(s->pending_in_);
      s->pending_in_pos_ = 0;
    }
    return static_cast<int>(k);
  }
  ssize_t r = recv(s->fd_, out, static_cast<size_t>(n), 0);
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    BIO_set_retry_read(bio);
    return -1;
  }
  return static_cast<int>(r);
}

int Stream::BioWrite(BIO* bio, const char* in, int n) {
  auto* s = static_cast<Stream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  while (!s->pending_out_.empty()) {
    ssize_t r = send(s->fd_, s->pending_out_.data(), s->pending_out_.size(), MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_write(bio);
      return -1;
    }
    s->pending_out_.erase(0, static_cast<size_t>(r));
  }
  ssize_t r = send(s->fd_, in, static_cast<size_t>(n), MSG_NOSIGNAL);
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    BIO_set_retry_write(bio);
    return -1;
  }
  return static_cast<int>(r);
}

int Stream::Fail(int ret, bool reading) {
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      want_ = Want::kRead;
      return -1;
    case SSL_ERROR_WANT_WRITE:
      want_ = Want::kWrite;
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      want_ = Want::kNone;
      if (reading) return 0;
      error_ = "the peer closed the TLS connection";
      return -2;
    case SSL_ERROR_SYSCALL:
      want_ = Want::kNone;
      if (errno == 0 || ret == 0) {
        if (reading && established_) return 0;
        error_ = "connection closed during the TLS handshake";
      } else {
        error_ = std::strerror(errno);
      }
      ERR_clear_error();
      return -2;
    default:
      want_ = Want::kNone;
      error_ = TakeErrors("TLS error");
      if (!established_) {
        long verify = SSL_get_verify_result(ssl_);
        if (verify != X509_V_OK)
          error_ += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      }
      return -2;
  }
}

int Stream::Handshake() {
  ERR_clear_error();
  errno = 0;
  int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    established_ = true;
    want_ = Want::kNone;
    return 1;
  }
  int f = Fail(r, false);
  return f == 0 ? -2 : f;
}

bool Stream::TakeEstablished() {
  if (!established_ || reported_) return false;
  reported_ = true;
  return true;
}

ssize_t Stream::Read(evbuffer* buf) {
  if (!established_) {
    int h = Handshake();
    if (h != 1) return h;
  }
  // One recv fills OpenSSL's buffer with whatever has arrived (read-ahead); records already
  // buffered are taken without asking the socket again, so a small packet costs one recv.
  ssize_t total = 0;
  while (static_cast<size_t>(total) < kReadBudget && (total == 0 || SSL_has_pending(ssl_))) {
    evbuffer_iovec v;
    if (evbuffer_reserve_space(buf, kReadChunk, &v, 1) < 1) return -2;
    ERR_clear_error();
    errno = 0;
    int r = SSL_read(ssl_, v.iov_base, static_cast<int>(std::min(v.iov_len, kReadChunk)));
    if (r > 0) {
      v.iov_len = static_cast<size_t>(r);
      evbuffer_commit_space(buf, &v, 1);
      total += r;
      continue;
    }
    evbuffer_commit_space(buf, &v, 0);
    int f = Fail(r, true);
    // Bytes first: EOF or an error is seen again on the next call.
    return total > 0 ? total : f;
  }
  want_ = Want::kNone;
  return total;
}

ssize_t Stream::Write(evbuffer* buf, size_t n) {
  if (!established_) {
    int h = Handshake();
    if (h != 1) return h;
  }
  ssize_t total = 0;
  while (static_cast<size_t>(total) < n) {
    size_t len = retry_len_ ? retry_len_ : std::min(n - static_cast<size_t>(total), kReadChunk);
    const unsigned char* data = evbuffer_pullup(buf, static_cast<ev_ssize_t>(len));
    if (!data) return -2;
    ERR_clear_error();
    errno = 0;
    int r = SSL_write(ssl_, data, static_cast<int>(len));
    if (r > 0) {
      retry_len_ = 0;
      evbuffer_drain(buf, static_cast<size_t>(r));
      total += r;
      continue;
    }
    int f = Fail(r, false);
    if (f == -1) retry_len_ = len;  // OpenSSL wants the same bytes again
    if (total > 0) return total;
    return f == 0 ? -2 : f;
  }
  want_ = Want::kNone;
  return total;
}

void Stream::Shutdown() {
  if (!established_) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

bool Stream::has_buffered() const {
  return pending_in_pos_ < pending_in_.size() || SSL_has_pending(ssl_);
}

std::string Stream::version() const { return established_ ? SSL_get_version(ssl_) : ""; }

}  // namespace shadowproxy::tls
