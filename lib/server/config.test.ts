import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { getConfig as getConfigFrom } from './config';

/** A process environment with only the given variables. */
const getConfig = (vars: Record<string, string>) => getConfigFrom(vars as NodeJS.ProcessEnv);

test('without NEXTAUTH_SECRET a secret is generated once into DATA_DIR (owner-only) and reused afterwards', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'config-'));
  const dataDir = path.join(root, 'data'); // does not exist yet: a fresh clone's first start
  const first = getConfig({ DATA_DIR: dataDir });
  assert.ok(first.nextAuthSecret.length >= 32, 'at least 256 bits, base64url');
  const file = path.join(dataDir, 'secret');
  assert.equal(fs.readFileSync(file, 'utf8').trim(), first.nextAuthSecret);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(getConfig({ DATA_DIR: dataDir }).nextAuthSecret, first.nextAuthSecret, 'a restart keeps sessions valid');
  const other = getConfig({ DATA_DIR: path.join(root, 'other') });
  assert.notEqual(other.nextAuthSecret, first.nextAuthSecret, 'each data folder has its own secret');
  fs.rmSync(root, { recursive: true, force: true });
});

test('NEXTAUTH_SECRET wins and nothing is written', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-'));
  assert.equal(getConfig({ DATA_DIR: dataDir, NEXTAUTH_SECRET: 'from-the-environment' }).nextAuthSecret, 'from-the-environment');
  assert.equal(fs.existsSync(path.join(dataDir, 'secret')), false);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('defaults: ./data, port 3000, embedded database, http://localhost:PORT; DATABASE_URL and PORT are honoured', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-'));
  const defaults = getConfig({ DATA_DIR: dataDir });
  assert.equal(defaults.port, 3000);
  assert.equal(defaults.databaseUrl, undefined);
  assert.equal(defaults.publicUrl, 'http://localhost:3000');
  assert.equal(defaults.storageDir, path.join(dataDir, 'storage'));
  const set = getConfig({ DATA_DIR: dataDir, PORT: '3901', DATABASE_URL: 'postgresql://u:p@db.example:5432/app' });
  assert.equal(set.port, 3901);
  assert.equal(set.databaseUrl, 'postgresql://u:p@db.example:5432/app');
  assert.equal(set.publicUrl, 'http://localhost:3901');
  assert.equal(getConfig({ DATA_DIR: dataDir, NEXTAUTH_URL: 'https://mastering.example' }).publicUrl, 'https://mastering.example');
  assert.equal(path.isAbsolute(getConfig({ NEXTAUTH_SECRET: 'x' }).dataDir), true);
  fs.rmSync(dataDir, { recursive: true, force: true });
});
