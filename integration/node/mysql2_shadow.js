// node mysql2 through the proxy as a shadow session by connect attribute (connectAttributes
// {shadow: '1'}, issue 15): prepared (COM_STMT_PREPARE / EXECUTE) and text statements reach
// the shadow tables; a statement prepared before SET SESSION SHADOW = ON cannot be executed
// after it (7040). Usage: node mysql2_shadow.js PORT USER PASSWORD DB
'use strict';
const assert = require('node:assert/strict');
const mysql = require('mysql2/promise');

async function main() {
  const [port, user, password, database] = process.argv.slice(2);
  const marked = await mysql.createConnection({
    host: '127.0.0.1', port: Number(port), user, password, database,
    connectAttributes: { shadow: '1' },
  });
  for (let i = 0; i < 5; i++) {
    const [rows] = await marked.execute('SELECT COUNT(*) AS c FROM orders WHERE id > ?', [0]);
    assert.equal(Number(rows[0].c), 5);  // the shadow's rows
  }
  await marked.execute('INSERT INTO orders (id, note) VALUES (?, ?)', [100, 'node']);
  const [text] = await marked.query('SELECT note FROM orders WHERE id = 100');
  assert.equal(text[0].note, 'node');
  await marked.query('DELETE FROM orders WHERE id = 100');
  await assert.rejects(marked.execute('SELECT * FROM audit WHERE id = ?', [1]),
    (e) => e.errno === 7040 && /has no shadow/.test(e.message));
  await marked.end();

  const plain = await mysql.createConnection({
    host: '127.0.0.1', port: Number(port), user, password, database,
  });
  const [prod] = await plain.execute('SELECT COUNT(*) AS c FROM orders WHERE id > ?', [0]);
  assert.equal(Number(prod[0].c), 2);  // production's rows
  await plain.query('SHADOW SYNC SET SESSION SHADOW = ON');
  // mysql2 reuses the statement it prepared outside shadow mode: refused.
  await assert.rejects(plain.execute('SELECT COUNT(*) AS c FROM orders WHERE id > ?', [0]),
    (e) => e.errno === 7040 && /prepared outside shadow mode/.test(e.message));
  const [fresh] = await plain.execute('SELECT COUNT(*) AS c FROM orders WHERE id >= ?', [0]);
  assert.equal(Number(fresh[0].c), 5);
  await plain.end();
  console.log('mysql2 shadow OK');
}

main().catch((e) => { console.error(e); process.exit(1); });
