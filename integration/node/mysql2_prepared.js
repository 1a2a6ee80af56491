// node mysql2 through the proxy: server-side prepared statements (COM_STMT_PREPARE/EXECUTE with
// the binary protocol) and the text protocol. Usage: node mysql2_prepared.js PORT USER PASSWORD DB
'use strict';
const assert = require('node:assert/strict');
const mysql = require('mysql2/promise');

async function main() {
  const [port, user, password, database] = process.argv.slice(2);
  const conn = await mysql.createConnection({
    host: '127.0.0.1', port: Number(port), user, password, database,
    supportBigNumbers: true, bigNumberStrings: true, dateStrings: true,
  });
  // The same statement executed many times: prepared once, executed from mysql2's cache.
  for (let i = 0; i < 50; i++) {
    const [rows] = await conn.execute('SELECT ? + ? AS s, CONCAT(?, ?) AS t', [i, 1, 'a', String(i)]);
    assert.equal(Number(rows[0].s), i + 1);
    assert.equal(rows[0].t, 'a' + i);
  }
  await conn.query('DROP TABLE IF EXISTS node_ps');
  await conn.query(`CREATE TABLE node_ps (id INT PRIMARY KEY, d DECIMAL(20,6), t DATETIME(6),
                    b BLOB, s VARCHAR(50) CHARACTER SET utf8mb4, u BIGINT UNSIGNED, n INT NULL)`);
  const blob = Buffer.from([...Array(1000).keys()].map((i) => i % 256));
  for (let i = 1; i <= 20; i++) {
    await conn.execute('INSERT INTO node_ps VALUES (?, ?, ?, ?, ?, ?, ?)',
      [i, '12345.678901', '2024-02-29 23:59:58.123456', blob, `héllo 🦄 ${i}`,
       '18446744073709551615', null]);
  }
  const [rows] = await conn.execute('SELECT * FROM node_ps WHERE id > ? ORDER BY id', [10]);
  assert.equal(rows.length, 10);
  assert.equal(rows[0].id, 11);
  assert.equal(rows[0].d, '12345.678901');
  assert.equal(rows[0].t, '2024-02-29 23:59:58.123456');
  assert.ok(rows[0].b.equals(blob));
  assert.equal(rows[0].s, 'héllo 🦄 11');
  assert.equal(rows[0].u, '18446744073709551615');
  assert.equal(rows[0].n, null);
  // Errors from a prepared statement keep the session usable.
  await assert.rejects(conn.execute('SELECT * FROM no_such_table WHERE id = ?', [1]),
    (e) => e.errno === 1146);
  const [again] = await conn.execute('SELECT COUNT(*) AS c FROM node_ps WHERE u = ?',
    ['18446744073709551615']);
  assert.equal(Number(again[0].c), 20);
  await conn.unprepare('SELECT ? + ? AS s, CONCAT(?, ?) AS t');  // COM_STMT_CLOSE
  const [text] = await conn.query('SELECT 1 AS one');
  assert.equal(text[0].one, 1);
  await conn.end();
  console.log('mysql2 OK');
}

main().catch((e) => { console.error(e); process.exit(1); });
