/**
 * The README's Docker section, run as a user would: its commands as written,
 * in their order, from a folder of their own (its `secrets/`), with `docker`
 * standing for the engine found here (podman on this project's machines) and
 * the `config.json` of "Running it" pointed at a sandbox on 127.0.0.1. Only
 * `docker build` is left out: the image under test is already built.
 *
 * Checks: spec answers; every `check` (the uid-1000 one too, on a chmod 600
 * file as that paragraph has it) answers SUCCEEDED; the catalog recipe writes
 * a configured catalog of every stream; the first `read` of it completes every
 * stream and equals the sandbox's truth; the state recipe writes a state the
 * later `read` takes and continues from.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { startSandbox } from '../../sandbox/server';
import { lastStates, recordsOf } from '../run-connector';
import { STREAM_NAMES } from '../streams';
import { compareToTruth, describeDiff, isClean, truthOf } from '../truth-check';
import { Checks } from './checks';
import { Engine, IMAGE, ROOT } from './engine';

type Message = Record<string, any>;

const README = path.join(ROOT, 'README.md');

function section(readme: string, title: string): string {
  const text = readme.split(`\n## ${title}\n`)[1];
  if (text === undefined) throw new Error(`README.md has no "## ${title}" section.`);
  return text.split('\n## ')[0];
}

/** The commands of a section's fenced blocks of one language, continuation lines joined, comments left out. */
function fenced(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].flatMap(([, body]) =>
    body
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
  );
}

/** Runs a shell command without blocking: the sandbox answering it lives in this process. */
function shell(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-o', 'pipefail', '-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGTERM'), 5 * 60_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    })
  );
}

const messagesOf = (text: string): Message[] =>
  text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return JSON.parse(line) as Message;
      } catch {
        return { type: 'NOT_JSON', line };
      }
    });

/** Runs the Docker section against `image` (the README's tag stands for it); adds its checks to `checks`. */
export async function readmeDockerSection(engine: Engine, checks: Checks, image = IMAGE): Promise<void> {
  const readme = fs.readFileSync(README, 'utf8');
  const commands = fenced(section(readme, 'Docker'), 'sh').filter((c) => !/^docker build\b/.test(c));
  const config = JSON.parse(fenced(section(readme, 'Running it'), 'json').join('\n'));

  // As "Running it" starts it (`--rate-limit-per-second 20`); any free port, named in the config.
  const sandbox = await startSandbox({ rateLimitPerSecond: 20 });
  // Inside the checkout (.cache/ is git-ignored) so that `npm run catalog` finds the project, as from its root.
  fs.mkdirSync(path.join(ROOT, '.cache'), { recursive: true });
  const work = fs.mkdtempSync(path.join(ROOT, '.cache', 'readme-docker-'));
  // The config.json of "Running it", as a user has it beside the checkout; the section copies it into secrets/.
  fs.writeFileSync(path.join(work, 'config.json'), JSON.stringify({ ...config, base_url: sandbox.url }));
  const secrets = path.join(work, 'secrets');
  // `docker` runs the engine found here.
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  if (engine.command !== 'docker') fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\nexec ${engine.command} "$@"\n`, { mode: 0o755 });

  const seen = new Set<string>();
  let firstRead: Message[] | undefined;
  try {
    for (const written of commands) {
      const command = written.replaceAll('ecommerce-source:dev', image);
      const what = / ecommerce-source:dev (spec|check|discover|read)\b/.exec(written)?.[1] ?? written.split(' ')[0];
      const name = `README Docker: ${written.length > 90 ? `${written.slice(0, 87)}...` : written}`;
      seen.add(what);
      // The uid-1000 paragraph's case: a private file owned by the user who runs the container.
      if (command.includes('--user ')) fs.chmodSync(path.join(secrets, 'config.json'), 0o600);
      const run = await shell(command, work, { ...process.env, PATH: `${bin}:${process.env.PATH}` });
      const failed = run.status !== 0 ? `exit ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      const out = messagesOf(run.stdout);
      if (what === 'spec') {
        checks.check(name, !failed && out.some((m) => m.type === 'SPEC'), failed || out.map((m) => m.type).join(','));
      } else if (what === 'check') {
        const status = out.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
        checks.check(name, !failed && status?.status === 'SUCCEEDED', failed || `${status?.status}: ${status?.message}`);
      } else if (what === 'discover') {
        const target = /> (\S+)$/.exec(command)?.[1];
        const catalog = target && fs.existsSync(path.join(work, target)) ? JSON.parse(fs.readFileSync(path.join(work, target), 'utf8')) : undefined;
        const streams: string[] = catalog?.streams?.map((s: Message) => s.stream.name) ?? [];
        checks.check(name, !failed && streams.join() === STREAM_NAMES.join(), failed || `${target}: ${streams.length} streams`);
      } else if (what === 'read') {
        const messages = messagesOf(fs.readFileSync(path.join(work, 'messages.jsonl'), 'utf8'));
        const errors = messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error.message);
        const complete = messages.filter((m) => m.type === 'TRACE' && m.trace.stream_status?.status === 'COMPLETE').map((m) => m.trace.stream_status.stream_descriptor.name);
        const records = messages.filter((m) => m.type === 'RECORD').length;
        const problems = [...errors, ...STREAM_NAMES.filter((s) => !complete.includes(s)).map((s) => `${s} not COMPLETE`)];
        if (!firstRead) {
          // The first sync: every record of the shop.
          const truth = truthOf(sandbox);
          for (const s of STREAM_NAMES) {
            const diff = compareToTruth(s, recordsOf({ messages }, s), truth);
            if (!isClean(diff)) problems.push(...describeDiff(s, diff));
          }
          firstRead = messages;
        } else if (!(command.includes('--state') && records < firstRead.filter((m) => m.type === 'RECORD').length)) {
          problems.push(`${records} records: the later sync did not continue from the state`);
        }
        checks.check(name, !failed && problems.length === 0, failed || problems.slice(0, 5).join('; ') || `${records} records, ${lastStates({ messages }).length} stream states`);
      } else {
        const state = /> (secrets\/state\.json)$/.exec(command) && fs.readFileSync(path.join(work, 'secrets', 'state.json'), 'utf8').trim();
        checks.check(name, !failed && (!state || Object.keys(JSON.parse(state)).length > 0), failed || (state ? `state of ${Object.keys(JSON.parse(state)).length} streams` : 'ran'));
      }
    }
    const missing = ['spec', 'check', 'discover', 'read'].filter((what) => !seen.has(what));
    checks.check("README Docker: the section runs spec, check, discover and read", missing.length === 0, missing.length ? `no ${missing.join(', ')}` : `${commands.length} commands`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await sandbox.close();
  }
}
