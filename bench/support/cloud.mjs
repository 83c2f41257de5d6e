// The all-in-one cloud of a benchmark: `<bin> up` on `dataDir`, listening on a free port of
// 127.0.0.1, with `env` over the bench's environment; resolves with the child and its URL once
// it printed its ready line (60 s at most). Its stderr goes to the bench's.
import { spawn } from 'node:child_process';

export async function startCloud(bin, dataDir, env) {
  const child = spawn(process.execPath, [bin, 'up'], {
    env: { ...process.env, NUBO_DATA_DIR: dataDir, NUBO_BIND: '127.0.0.1:0', NUBO_DEFAULT__LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /nubo: ready at (\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`nubo exited ${code}:\n${out}`)); });
  });
  child.removeAllListeners('exit');
  return { child, url };
}
