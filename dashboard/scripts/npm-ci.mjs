#!/usr/bin/env node
// Runs `npm ci` unless node_modules already matches package-lock.json exactly.
// The stamp records the lock file, the tree npm last wrote (node_modules/.package-lock.json)
// and the Node version; any change to one of them (npm install, a new lock, another Node) runs npm ci again.
// SYSLENS_FORCE_NPM_CI=1 always runs it.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lock = path.join(root, 'package-lock.json');
const hiddenLock = path.join(root, 'node_modules', '.package-lock.json');
const stampFile = path.join(root, 'node_modules', '.syslens-npm-ci.stamp');

function digest() {
  const h = createHash('sha256');
  h.update(process.version).update('\0').update(process.platform + '/' + process.arch).update('\0');
  h.update(fs.readFileSync(lock)).update('\0');
  h.update(fs.existsSync(hiddenLock) ? fs.readFileSync(hiddenLock) : 'no-hidden-lock');
  return h.digest('hex');
}

function readStamp() {
  try {
    return fs.readFileSync(stampFile, 'utf8').trim();
  } catch {
    return null;
  }
}

if (!fs.existsSync(lock)) {
  console.error(`npm-ci: ${lock} is missing (expected: a committed package-lock.json)`);
  process.exit(1);
}
if (process.env.SYSLENS_FORCE_NPM_CI !== '1' && readStamp() === digest()) {
  console.log('npm-ci: node_modules matches package-lock.json, skipping npm ci');
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.error(`npm-ci: npm ci failed (exit ${r.status ?? r.signal ?? r.error?.message})`);
  process.exit(r.status || 1);
}
fs.writeFileSync(stampFile, digest() + '\n');
