#!/usr/bin/env node
// Helpers for run.sh, so that it needs nothing but node (no curl, python or jq):
//
//   harness.mjs free-ports N
//       print N distinct free TCP ports on 127.0.0.1, space-separated
//   harness.mjs wait-http URL TIMEOUT_SECONDS PID NAME
//       poll GET URL until it gets an HTTP answer (other than 502/503/504); fail when
//       the deadline passes or process PID exits first
//   harness.mjs collect RESULTS_DIR CLI_OUTPUT_FILE OUT_JSON
//       turn one `conformance server -o RESULTS_DIR` run into {scenarios, checks} JSON
//   harness.mjs differing DIRECT_JSON GUARD_JSON [--compare-messages]
//       print the scenarios that hold a check whose outcome differs, one a line
//   harness.mjs report --direct FILE... --guard FILE... [--allow-gained-passes] [--compare-messages]
//       print the check-by-check table and summary; exit 1 on any difference
//
// A check's outcome is its status (SUCCESS, FAILURE, ...; MISSING when absent), or with
// --compare-messages its status and error message together.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const [command, ...args] = process.argv.slice(2);

function die(message) {
  console.error(`harness: ${message}`);
  process.exit(2);
}

async function freePorts(count) {
  const servers = [];
  const ports = [];
  // Keep every socket open until all are picked, so the N ports are distinct.
  for (let i = 0; i < count; i += 1) {
    const server = net.createServer();
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    servers.push(server);
    ports.push(server.address().port);
  }
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  console.log(ports.join(' '));
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function probe(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000, headers: { accept: 'application/json, text/event-stream' } }, (res) => {
      res.resume();
      res.destroy();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
  });
}

async function waitHttp(url, timeoutSeconds, pid, name) {
  const deadline = Date.now() + Number(timeoutSeconds) * 1000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (pid && !alive(Number(pid))) die(`${name} (pid ${pid}) exited before ${url} answered`);
    const status = await probe(url);
    if (status !== undefined && ![502, 503, 504].includes(status)) {
      console.error(`${name} is ready: GET ${url} -> ${status}`);
      return;
    }
    if (status !== undefined) last = `HTTP ${status}`;
    await new Promise((r) => setTimeout(r, 200));
  }
  die(`${name} not ready after ${timeoutSeconds}s (GET ${url}: ${last})`);
}

// Result folders are named server-<scenario>-<ISO timestamp with : and . replaced by ->.
const DIR_PATTERN = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

function collect(resultsDir, cliOutputFile, outFile) {
  const cliOutput = existsSync(cliOutputFile) ? readFileSync(cliOutputFile, 'utf8') : '';
  // Every scenario the CLI started, in order; a scenario that threw has no folder.
  const started = [...cliOutput.matchAll(/^Running client scenario '([^']+)' against server/gm)].map((m) => m[1]);
  const folders = new Map();
  for (const entry of existsSync(resultsDir) ? readdirSync(resultsDir) : []) {
    const m = DIR_PATTERN.exec(entry);
    if (!m) continue;
    if (folders.has(m[1])) die(`two result folders for scenario ${m[1]} in ${resultsDir}`);
    folders.set(m[1], path.join(resultsDir, entry, 'checks.json'));
  }
  const scenarios = [...new Set([...started, ...folders.keys()])];
  if (scenarios.length === 0) die(`no scenario ran (see ${cliOutputFile})`);
  const checks = {};
  for (const scenario of scenarios) {
    const file = folders.get(scenario);
    if (!file || !existsSync(file)) {
      const failure = new RegExp(`^Failed to run scenario ${scenario}:.*$`, 'm').exec(cliOutput);
      checks[`${scenario}/(scenario did not run)`] = {
        scenario,
        status: 'FAILURE',
        errorMessage: failure ? failure[0] : 'no checks.json written',
      };
      continue;
    }
    const seen = new Map();
    for (const check of JSON.parse(readFileSync(file, 'utf8'))) {
      const id = check.id ?? check.name ?? 'unnamed';
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      const key = `${scenario}/${id}${n > 1 ? `#${n}` : ''}`;
      checks[key] = { scenario, status: check.status, errorMessage: check.errorMessage ?? '' };
    }
  }
  writeFileSync(outFile, `${JSON.stringify({ scenarios, checks }, null, 2)}\n`);
}

const load = (file) => JSON.parse(readFileSync(file, 'utf8'));

const oneLine = (text, max = Infinity) => {
  const flat = String(text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
};
const outcomeOf = (compareMessages) => (check) =>
  check === undefined ? 'MISSING' : compareMessages ? `${check.status}: ${oneLine(check.errorMessage)}` : check.status;

function differing(directFile, guardFile, flag) {
  const direct = load(directFile).checks;
  const guard = load(guardFile).checks;
  const outcome = outcomeOf(flag === '--compare-messages');
  const scenarios = new Set();
  for (const key of new Set([...Object.keys(direct), ...Object.keys(guard)])) {
    if (outcome(direct[key]) !== outcome(guard[key])) scenarios.add((direct[key] ?? guard[key]).scenario);
  }
  for (const s of scenarios) console.log(s);
}

const SHOW = { SUCCESS: 'pass', FAILURE: 'FAIL', WARNING: 'warn', INFO: 'info', SKIPPED: 'skip' };
const show = (status) => (status === undefined || status === 'MISSING' ? 'MISSING' : (SHOW[status] ?? status));
const statusOf = (outcome) => outcome.split(':')[0];
const counts = (list) =>
  [...new Set(list)]
    .map((o) => {
      const n = list.filter((x) => x === o).length;
      const i = o.indexOf(': ');
      const message = i < 0 ? '' : o.slice(i + 2);
      return `${n}x ${show(statusOf(o))}${message ? ` "${oneLine(message, 100)}"` : ''}`;
    })
    .join(', ');

function report(argv) {
  const files = { direct: [], guard: [] };
  let side;
  let allowGainedPasses = false;
  let compareMessages = false;
  for (const a of argv) {
    if (a === '--direct' || a === '--guard') side = a.slice(2);
    else if (a === '--allow-gained-passes') allowGainedPasses = true;
    else if (a === '--compare-messages') compareMessages = true;
    else if (side) files[side].push(a);
    else die(`unexpected argument ${a}`);
  }
  if (files.direct.length === 0 || files.guard.length === 0) die('report needs --direct and --guard files');
  const runs = { direct: files.direct.map(load), guard: files.guard.map(load) };
  const outcome = outcomeOf(compareMessages);
  const first = { direct: runs.direct[0].checks, guard: runs.guard[0].checks };

  // Keys in the direct run's order, then any the guard run alone has.
  const keys = [...new Set([...Object.keys(first.direct), ...Object.keys(first.guard)])];
  // Every outcome a check had on one side over the first run and the re-runs that include
  // its scenario (a re-run that lacks the check altogether counts as MISSING).
  const history = (which, key) => {
    const scenario = (first.direct[key] ?? first.guard[key]).scenario;
    return runs[which]
      .filter((run, i) => i === 0 || run.scenarios.includes(scenario))
      .map((run) => outcome(run.checks[key]));
  };

  const rows = [];
  const differences = [];
  const flaky = [];
  const gained = [];
  const notes = [];
  for (const key of keys) {
    const d = first.direct[key]?.status;
    const g = first.guard[key]?.status;
    let verdict = '';
    if (outcome(first.direct[key]) !== outcome(first.guard[key])) {
      const dh = history('direct', key);
      const gh = history('guard', key);
      const detail = `direct ${counts(dh)}; through guard ${counts(gh)}`;
      const outsideDirect = gh.filter((s) => !dh.includes(s));
      if (outsideDirect.length === 0) {
        // The guard only ever produced outcomes the server itself produces directly:
        // the server (or the suite) is flaky on this check, the guard is not to blame.
        verdict = `FLAKY upstream (${detail})`;
        flaky.push(key);
      } else {
        const dPasses = dh.every((o) => statusOf(o) === 'SUCCESS');
        const gPasses = gh.every((o) => statusOf(o) === 'SUCCESS');
        const sameStatuses = [...dh, ...gh].every((o) => statusOf(o) === statusOf(dh[0]));
        const kind = sameStatuses ? 'ERROR MESSAGE CHANGED'
          : dPasses ? 'LOST PASS' : gPasses ? 'GAINED PASS' : 'STATUS CHANGED';
        verdict = `DIFF: ${kind} (${detail})`;
        if (kind === 'GAINED PASS' && allowGainedPasses) {
          verdict = `gained pass, allowed (${detail})`;
          gained.push(key);
        } else {
          differences.push(key);
        }
      }
    } else if (d === g && oneLine(first.direct[key]?.errorMessage) !== oneLine(first.guard[key]?.errorMessage)) {
      const message = (check) => oneLine(check.errorMessage, 200) || '(none)';
      notes.push(`  ${key}:\n    direct:        ${message(first.direct[key])}\n    through guard: ${message(first.guard[key])}`);
    }
    // "tools-list/tools-list" reads better as "tools-list".
    const [scenario, ...rest] = key.split('/');
    const label = rest.join('/') === scenario ? scenario : key;
    rows.push([label, show(d), show(g), verdict]);
  }

  const header = ['check (scenario[/check id])', 'direct', 'through guard', ''];
  const widths = [0, 1, 2].map((i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
  const line = (r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`.trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w)).concat([''])));
  for (const r of rows) console.log(line(r));

  if (notes.length > 0) {
    console.log('\nSame status, different error message (not counted; CONFORMANCE_COMPARE_MESSAGES=1 counts it):');
    console.log(notes.join('\n'));
  }

  const tally = (checks) => {
    const graded = Object.values(checks).filter((c) => c.status !== 'INFO');
    return `${graded.filter((c) => c.status === 'SUCCESS').length}/${graded.length}`;
  };
  const directPasses = Object.values(first.direct).filter((c) => c.status === 'SUCCESS').length;
  let summary = `direct: ${tally(first.direct)} passed; through guard: ${tally(first.guard)} passed; differences: ${differences.length}`;
  if (flaky.length > 0) summary += `; flaky upstream: ${flaky.length} (${flaky.join(', ')})`;
  if (gained.length > 0) summary += `; gained passes allowed: ${gained.length} (${gained.join(', ')})`;
  console.log(`\n${summary}`);
  if (directPasses === 0) {
    console.log('ERROR: not one check passed directly, so the reference run is broken and proves nothing.');
    process.exit(1);
  }
  if (differences.length > 0) {
    console.log(`FAILED: the guard is not transparent for: ${differences.join(', ')}`);
    process.exit(1);
  }
}

switch (command) {
  case 'free-ports':
    await freePorts(Number(args[0] ?? 1));
    break;
  case 'wait-http':
    await waitHttp(...args);
    break;
  case 'collect':
    collect(...args);
    break;
  case 'differing':
    differing(...args);
    break;
  case 'report':
    report(args);
    break;
  default:
    die(`unknown command ${command ?? '(none)'}`);
}
