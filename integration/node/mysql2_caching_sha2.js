// node mysql2 through the proxy with a caching_sha2_password user: the first connection does the
// full authentication, the second the fast one, and a wrong password gets 1045. Without CA_FILE
// (plaintext) the full authentication asks for the RSA public key and sends the RSA-OAEP
// encrypted password; with it (TLS, verified against CA_FILE) it sends the clear password.
// Usage: node mysql2_caching_sha2.js PORT USER PASSWORD [CA_FILE]
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const mysql = require('mysql2/promise');
const cachingSha2 = require('mysql2').authPlugins.caching_sha2_password;

const FULL_AUTH = Buffer.from([4]);

async function connect(port, user, password, ca) {
  const seen = { full: false, keysAsked: 0 };
  const plugin = cachingSha2({ onServerPublicKey: () => { seen.keysAsked += 1; } });
  const conn = await mysql.createConnection({
    host: '127.0.0.1', port: Number(port), user, password,
    ssl: ca ? { ca: fs.readFileSync(ca) } : undefined,
    authPlugins: {
      // The plugin's handler, watching for the server's "perform full authentication".
      caching_sha2_password: (ctx) => {
        const next = plugin(ctx);
        return (data) => {
          if (FULL_AUTH.equals(data)) seen.full = true;
          return next(data);
        };
      },
    },
  });
  if (ca) assert.match(conn.connection.stream.getProtocol(), /^TLSv1\.[23]$/);
  return { conn, ...seen };
}

async function main() {
  const [port, user, password, ca] = process.argv.slice(2);
  // USER must not have logged in through this proxy before (its cache would make it fast).
  await assert.rejects(connect(port, user, password + 'x', ca), (e) => e.errno === 1045);

  const first = await connect(port, user, password, ca);
  assert.ok(first.full, 'first login must be the full authentication');
  const [rows] = await first.conn.query('SELECT 1 + 1 AS two');
  assert.equal(rows[0].two, 2);
  await first.conn.end();

  const second = await connect(port, user, password, ca);
  assert.ok(!second.full, 'second login must be the fast authentication');
  await second.conn.query('SELECT 1');
  await second.conn.end();
  console.log(`mysql2 caching_sha2 OK first=full second=fast ` +
              `keys_asked=${first.keysAsked + second.keysAsked}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
