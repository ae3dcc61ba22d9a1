// bench/peers/ts-sdk-server.js - the reference peer: a stateless Streamable
// HTTP MCP server built on the official TypeScript SDK
// (@modelcontextprotocol/sdk, the version tests/package.json pins), serving
// the same tools (read from a tools/list answer cfmcp gave) with the SDK's
// own stateless pattern: a new Server + transport per request, JSON answers.
// One process per worker (node:cluster), as many as cfmcp runs.
//   node ts-sdk-server.js PORT TOOLS_JSON WORKERS
'use strict';
const cluster = require('cluster');
const http = require('http');
const fs = require('fs');

const [port, toolsFile, workers] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4] || 1)];
if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.kill(); process.exit(0); });
} else {
  const { Server } = require('@modelcontextprotocol/sdk/server/index.js');
  const { StreamableHTTPServerTransport } = require('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const { ListToolsRequestSchema } = require('@modelcontextprotocol/sdk/types.js');
  const tools = JSON.parse(fs.readFileSync(toolsFile, 'utf8')).result.tools;
  http.createServer(async (req, res) => {
    try {
      let body = '';
      for await (const c of req) body += c;
      const server = new Server({ name: 'ts-sdk-peer', version: '1.0.0' }, { capabilities: { tools: {} } });
      server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => { transport.close(); server.close(); });
      await server.connect(transport);
      await transport.handleRequest(req, res, JSON.parse(body));
    } catch (e) {
      if (!res.headersSent) { res.writeHead(500); res.end(String(e)); }
    }
  }).listen(port, '127.0.0.1');
}
