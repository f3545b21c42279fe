// Runs in a fresh `node` process per measurement: imports one bundle (timed
// with performance.now around the dynamic import, as Lambda's init phase
// does), optionally invokes its handler once with a probe event, and writes
// the figures as JSON to the file named by the second argument.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';

const [file, out, probe] = process.argv.slice(2);
const result = {};
try {
  const url = pathToFileURL(file).href;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const mod = await import(url);
  result.loadMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  result.loadCpuMs = (used.user + used.system) / 1000;
  result.rssAfterLoad = process.memoryUsage().rss;
  if (probe) {
    const event = JSON.parse(readFileSync(probe, 'utf8'));
    const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 900_000 };
    const invoked = performance.now();
    result.response = await mod.handler(event, context);
    result.firstInvokeMs = performance.now() - invoked;
  }
} catch (err) {
  result.error = String((err && err.stack) || err);
}
result.peakRss = process.resourceUsage().maxRSS * 1024;
writeFileSync(out, JSON.stringify(result));
