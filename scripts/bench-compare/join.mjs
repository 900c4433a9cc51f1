// Runs join.sql on the snapshots of a generated repository with DuckDB's
// node package and prints the rows in scope and the query's wall time.
//   node join.mjs REPO_DIR
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const sql = readFileSync(new URL('./join.sql', import.meta.url), 'utf8')
	.replaceAll('{{files}}', `${dir}/snapshots/*.json`);
const t0 = performance.now();
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const res = await conn.runAndReadAll(sql);
const t1 = performance.now();
console.log(JSON.stringify({ inScope: Number(res.getRows()[0][0]), seconds: (t1 - t0) / 1000 }));
