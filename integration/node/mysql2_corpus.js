// Runs a corpus as prepared statements (COM_STMT_PREPARE / EXECUTE) for
// test_shadow_routing_oracle.py: each [proxy_sql, ref_sql] pair from the JSON array on stdin is
// executed through the proxy as a shadow user and on the reference database directly; prints a
// JSON summary (rewritten, refused by message, leaks, mismatches).
// Usage: node mysql2_corpus.js PROXY_PORT USER PASSWORD REF_PORT < pairs.json
'use strict';
const mysql = require('mysql2/promise');

async function run(conn, sql) {
  try {
    const [rows] = await conn.execute(sql);
    if (Array.isArray(rows)) return { ok: true, rows: rows.map((r) => JSON.stringify(r)).sort() };
    return { ok: true, affected: rows.affectedRows };
  } catch (e) {
    return { ok: false, errno: e.errno, message: e.message };
  }
}

async function main() {
  const [port, user, password, refPort] = process.argv.slice(2);
  const pairs = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const proxy = await mysql.createConnection({
    host: '127.0.0.1', port: Number(port), user, password, database: 'shop', dateStrings: true,
  });
  const ref = await mysql.createConnection({
    host: '127.0.0.1', port: Number(refPort), user: 'root', password: '', database: 'ref',
    dateStrings: true,
  });
  const out = { rewritten: 0, refused: [], leaks: [], mismatches: [] };
  for (const [p, r] of pairs) {
    const got = await run(proxy, p);
    if (!got.ok && got.errno === 7040) {
      out.refused.push(got.message);
      continue;
    }
    if (!got.ok && [1142, 1143, 1044].includes(got.errno)) {
      out.leaks.push([p, got]);
      continue;
    }
    out.rewritten++;
    const want = await run(ref, r);
    const same = got.ok ? JSON.stringify(got) === JSON.stringify(want)
      : (!want.ok && want.errno === got.errno);
    if (!same) out.mismatches.push([p, got, want]);
  }
  await proxy.end();
  await ref.end();
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
