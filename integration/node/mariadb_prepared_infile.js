// node mariadb connector: LOAD DATA LOCAL INFILE as a server-side prepared statement.
// conn.prepare() sends COM_STMT_PREPARE; stmt.execute() sends COM_STMT_EXECUTE, which the server
// answers with the LOCAL INFILE request (0xFB + file name) instead of a result; the connector
// streams the file, sends the empty packet that ends it, and reads the final OK.
// (mysql2 3.24.6 cannot do this: its Execute command borrows Query's _streamLocalInfile but not
// infileOk, so the promise of execute() never settles.)
// Usage: node mariadb_prepared_infile.js PORT USER PASSWORD DB TABLE FILE
// Prints one JSON line: {"affectedRows": N, "count": N, "sum": N, "first": [id, name]}.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const mariadb = require('mariadb');

let finished = false;

async function main() {
  const [port, user, password, database, table, file] = process.argv.slice(2);
  const conn = await mariadb.createConnection({
    host: '127.0.0.1', port: Number(port), user, password, database,
    permitLocalInfile: true, pipelining: false, connectTimeout: 30000, queryTimeout: 60000,
    infileStreamFactory: (path) => {
      assert.equal(path, file);  // the server asks for exactly the file named in the statement
      return fs.createReadStream(path);
    },
  });
  try {
    const stmt = await conn.prepare(
      `LOAD DATA LOCAL INFILE '${file}' INTO TABLE ${table} FIELDS TERMINATED BY ','`);
    assert.equal(stmt.parameterCount, 0);
    const res = await stmt.execute([]);
    stmt.close();
    // The session is still in step afterwards: another prepared statement and a text query.
    const [agg] = await conn.execute(
      `SELECT COUNT(*) AS c, SUM(id) AS s FROM ${table} WHERE id >= ?`, [0]);
    const [first] = await conn.query(`SELECT id, name FROM ${table} ORDER BY id LIMIT 1`);
    console.log(JSON.stringify({
      affectedRows: Number(res.affectedRows), count: Number(agg.c), sum: Number(agg.s),
      first: [Number(first.id), first.name],
    }));
    finished = true;
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

// A promise that never settles lets node exit with 0 and print nothing: make that a failure.
process.on('exit', (code) => {
  if (code === 0 && !finished) {
    console.error('mariadb: the event loop emptied before the statements finished');
    process.exitCode = 3;
  }
});

main().catch((e) => {
  console.error(`mariadb error: errno=${e.errno} code=${e.code} message=${e.message}`);
  process.exit(1);
});
