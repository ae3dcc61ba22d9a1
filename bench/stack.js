// bench/stack.js - the real stack for bench/run.js and bench/soak.js,
// started and stopped by tests/lib/stack.sh exactly as the tests do.
'use strict';
const path = require('path');
const { execFileSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.resolve(ROOT, process.env.BUILD || 'build');
const sh = (cmd, extra = {}) => execFileSync('sh', ['-c', `. "${ROOT}/tests/lib/stack.sh" && ${cmd}`],
  { encoding: 'utf8', env: { ...process.env, ROOT, BUILD, ...extra } });

// Start the stack in D with `workers` workers; returns its env (D/env) and
// a read-scoped MCP URL token.
function startStack(D, workers) {
  const E = {};
  const text = sh(`stack_start "${D}" >/dev/null && cat "${D}/env"`, { STACK_WORKERS: String(workers), CFMCP_TOOLS_PAGE_SIZE: '100', STACK_SSE_KEEPALIVE_MS: '15000' });
  for (const line of text.split('\n')) { const m = /^(\w+)='(.*)'$/.exec(line); if (m) E[m[1]] = m[2]; }
  const tok = sh('stack_mint_token read ""', { CFMCP_DIR: D, CFMCP_BASE: E.CFMCP_BASE, ACCOUNT_ID: E.ACCOUNT_ID }).trim();
  return { E, tok };
}

function stopStack(D) {
  try { sh(`stack_stop "${D}"`); } catch { /* best effort */ }
}

module.exports = { ROOT, BUILD, sh, startStack, stopStack };
