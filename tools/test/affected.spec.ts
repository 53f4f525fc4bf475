/**
 * tools/ci/affected.sh derives the base commit for `nx affected` the way users' CI needs it. Exercised in a
 * scratch git repository (real git), with --print-base so no Nx run is needed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../ci/affected.sh');
let repo: string;

const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();
const commit = (file: string) => {
  writeFileSync(path.join(repo, file), file);
  git('add', file);
  git('commit', '-q', '-m', file);
  return git('rev-parse', 'HEAD');
};
const printBase = (env: Record<string, string> = {}) => {
  const clean = { ...process.env };
  delete clean.NX_BASE;
  return execFileSync('bash', [script, '--print-base'], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...clean, ...env },
  }).trim();
};

beforeEach(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'affected-'));
  git('init', '-q', '-b', 'main');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

it('uses the merge base with main on a feature branch', () => {
  commit('a');
  const forkPoint = commit('b');
  git('checkout', '-q', '-b', 'feature');
  commit('c');
  commit('d');
  git('checkout', '-q', 'main');
  commit('e'); // main moved on: the merge base is still the fork point
  git('checkout', '-q', 'feature');
  expect(printBase()).toBe(forkPoint);
});

it('prefers NX_BASE when set', () => {
  commit('a');
  expect(printBase({ NX_BASE: 'abc123' })).toBe('abc123');
});

it('falls back to the previous commit when there is no main branch', () => {
  git('checkout', '-q', '-b', 'other');
  const first = commit('a');
  commit('b');
  // `main` exists as the initial unborn branch name only; delete nothing, but there is no main commit.
  expect(printBase()).toBe(first);
});

it('runs every project when there is no base at all', () => {
  git('checkout', '-q', '-b', 'other');
  commit('a');
  expect(printBase()).toBe('<all>');
});
