// node mariadb connector through the proxy: pipelined queries (sent before earlier answers
// arrive), batch() (COM_STMT_BULK_EXECUTE on MariaDB) and prepared statements.
// Usage: node mariadb_pipelining.js PORT USER PASSWORD DB
'use strict';
const assert = require('node:assert/strict');
const mariadb = require('mariadb');

async function main() {
  const [port, user, password, database] = process.argv.slice(2);
  const conn = await mariadb.createConnection({
    host: '127.0.0.1', port: Number(port), user, password, database, pipelining: true,
    bigIntAsNumber: true, decimalAsNumber: false,
  });
  // 200 queries in flight at once; answers must come back in order, each to its query.
  const results = await Promise.all(
    [...Array(200).keys()].map((i) => conn.query('SELECT ? AS i, REPEAT(?, ?) AS r', [i, 'z', i % 50])));
  results.forEach((rows, i) => {
    assert.equal(Number(rows[0].i), i);
    assert.equal(rows[0].r, 'z'.repeat(i % 50));
  });
  await conn.query('DROP TABLE IF EXISTS node_batch');
  await conn.query('CREATE TABLE node_batch (id INT PRIMARY KEY, v VARCHAR(20))');
  const rows = [...Array(500).keys()].map((i) => [i, `v${i}`]);
  const res = await conn.batch('INSERT INTO node_batch VALUES (?, ?)', rows);
  assert.equal(Number(res.affectedRows), 500);
  const [count] = await conn.query('SELECT COUNT(*) AS c, SUM(id) AS s FROM node_batch');
  assert.equal(Number(count.c), 500);
  assert.equal(Number(count.s), (499 * 500) / 2);
  // Pipelined with an error in the middle: only that one fails.
  const mixed = await Promise.allSettled([
    conn.query('SELECT 1 AS a'), conn.query('SELECT * FROM no_such_table'), conn.query('SELECT 3 AS a')]);
  assert.equal(mixed[0].status, 'fulfilled');
  assert.equal(mixed[1].status, 'rejected');
  assert.equal(mixed[1].reason.errno, 1146);
  assert.equal(mixed[2].status, 'fulfilled');
  assert.equal(Number(mixed[2].value[0].a), 3);
  const stmt = await conn.prepare('SELECT v FROM node_batch WHERE id = ?');
  for (let i = 0; i < 20; i++) {
    const r = await stmt.execute([i * 7]);
    assert.equal(r[0].v, `v${i * 7}`);
  }
  stmt.close();
  await conn.end();
  console.log('mariadb OK');
}

main().catch((e) => { console.error(e); process.exit(1); });
