// The real Prometheus tools for the metrics tests (Debian's `prometheus` package: prometheus, promtool, and
// prometheus-node-exporter which it recommends): found on PATH, started on loopback, always killed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../cli/helpers.js';

/** The path of a tool on PATH, or null. */
export function which(tool: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** Why a test needing these tools must skip, or false when they are all here. */
export function missingTools(...tools: string[]): string | false {
  const missing = tools.filter((tool) => which(tool) === null);
  return missing.length === 0 ? false : `${missing.join(', ')} not installed (Debian: apt-get install prometheus; .ci/run installs it)`;
}

/** `promtool check metrics` with `text` on stdin: its exit code and what it printed. */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/** A free TCP port on loopback (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A started process of ours: its output so far, and stop() that ends it (SIGTERM, then SIGKILL after 5 s). */
export interface Started {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

function startProcess(command: string, args: string[], url: string): Started {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test process that dies without its after() still takes this child with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    url,
    output: () => output,
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Poll `check` every 200 ms until it returns a value (not undefined) or `timeoutMs` passes. */
export async function poll<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, details: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}\n${details()}`);
}

/** A real Prometheus on loopback scraping `targets` (host:port) every second, its storage in a temp folder. */
export async function startPrometheus(targets: string[]): Promise<Started & { query: (expr: string) => Promise<PromResponse> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'joulebench-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(config, ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:', '  - job_name: joulebench', '    static_configs:', `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`, ''].join('\n'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = startProcess('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], url);
  const stop = async () => {
    await started.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await poll('Prometheus to be ready', 30_000, async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), started.output);
  } catch (error) {
    await stop();
    throw error;
  }
  const query = async (expr: string): Promise<PromResponse> => (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as PromResponse;
  return { ...started, stop, query };
}

/** A real node_exporter with only its textfile collector, reading `dir`. */
export async function startNodeExporter(dir: string): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  const started = startProcess('prometheus-node-exporter', ['--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${dir}`, `--web.listen-address=127.0.0.1:${port}`], url);
  try {
    await poll('node_exporter to answer', 30_000, async () => ((await fetch(url)).ok ? true : undefined), started.output);
  } catch (error) {
    await started.stop();
    throw error;
  }
  return started;
}

/** The body of Prometheus' /api/v1/query. */
export interface PromResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

/** The built CLI as a child whose stderr is read as it comes (runCli only answers once the process ended). */
export function startCli(args: string[], cwd: string): { stderr: () => string; done: Promise<number | null> } {
  const env: NodeJS.ProcessEnv = { ...process.env, JOULEBENCH_MODELS_DIR: path.join(cwd, 'models'), JOULEBENCH_CACHE_DIR: path.join(cwd, 'cache') };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'joulebench.js'), ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { stderr: () => stderr, done: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}
