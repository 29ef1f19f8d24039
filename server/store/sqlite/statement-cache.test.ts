import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { describe, it } from 'node:test';
import { cacheStatements } from './statement-cache.js';

function people(size?: number): Database.Database {
  const db = cacheStatements(new Database(':memory:'), size);
  db.exec("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO people (name) VALUES ('ada'), ('bob'), ('cy')");
  return db;
}

describe('statements prepared once per connection', () => {
  it('hands back the statement already prepared for the same SQL, with the same answers', () => {
    const db = people();
    const a = db.prepare('SELECT name FROM people WHERE id = ?');
    const b = db.prepare('SELECT name FROM people WHERE id = ?');
    assert.equal(a, b);
    assert.deepEqual(b.get(2), { name: 'bob' });
    db.prepare('UPDATE people SET name = ? WHERE id = ?').run('bea', 2);
    assert.deepEqual(db.prepare('SELECT name FROM people WHERE id = ?').get(2), { name: 'bea' });
  });

  it('gives a statement switched to pluck, raw or expand to its caller: others still get rows as objects', () => {
    const db = people();
    const count = db.prepare('SELECT count(*) AS n FROM people').pluck();
    assert.equal(count.get(), 3);
    assert.deepEqual(db.prepare('SELECT count(*) AS n FROM people').get(), { n: 3 });
    assert.equal(count.get(), 3, 'the caller that plucked keeps its plucked statement');
    const raw = db.prepare('SELECT id, name FROM people WHERE id = 1').raw();
    assert.deepEqual(raw.get(), [1, 'ada']);
    assert.deepEqual(db.prepare('SELECT id, name FROM people WHERE id = 1').get(), { id: 1, name: 'ada' });
  });

  it('prepares a second statement while the cached one is still iterating (nested use of the same SQL)', () => {
    const db = people();
    const sql = 'SELECT id FROM people ORDER BY id';
    const pairs: string[] = [];
    for (const outer of db.prepare(sql).iterate() as Iterable<{ id: number }>) {
      for (const inner of db.prepare(sql).iterate() as Iterable<{ id: number }>) pairs.push(`${outer.id}${inner.id}`);
    }
    assert.equal(pairs.length, 9);
  });

  it('keeps at most its bound, dropping the least recently used SQL', () => {
    const db = people(2);
    const first = db.prepare('SELECT 1 AS x');
    db.prepare('SELECT 2 AS x');
    assert.equal(db.prepare('SELECT 1 AS x'), first, 'used again, so now the most recent');
    db.prepare('SELECT 3 AS x'); // drops SELECT 2
    assert.equal(db.prepare('SELECT 1 AS x'), first);
    const second = db.prepare('SELECT 2 AS x');
    assert.deepEqual(second.get(), { x: 2 }, 'prepared again after it was dropped');
  });
});
