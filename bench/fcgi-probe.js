// bench/fcgi-probe.js - a minimal FastCGI client (FastCGI 1.0 §3-§5): send
// one POST to a responder's unix socket, print the status line and the
// milliseconds it took. Used to time "start to first answer" without a web
// server in between.  node fcgi-probe.js SOCKET PATH BODY_FILE
'use strict';
const net = require('net');
const fs = require('fs');

function record(type, id, content) {
  const pad = (8 - (content.length % 8)) % 8;
  const h = Buffer.alloc(8);
  h.writeUInt8(1, 0); h.writeUInt8(type, 1); h.writeUInt16BE(id, 2);
  h.writeUInt16BE(content.length, 4); h.writeUInt8(pad, 6);
  return Buffer.concat([h, content, Buffer.alloc(pad)]);
}
function nv(name, value) {
  const n = Buffer.from(name); const v = Buffer.from(value);
  const len = (x) => (x.length < 128 ? Buffer.from([x.length]) : (() => { const b = Buffer.alloc(4); b.writeUInt32BE(x.length | 0x80000000); return b; })());
  return Buffer.concat([len(n), len(v), n, v]);
}
// sock: a unix socket's path, or { host, port }. pauseMs: send the body
// that long after the params (a slow web server or client).
function request(sock, path, body, extra = {}, { pauseMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    const chunks = [];
    c.on('error', reject);
    c.on('data', (d) => chunks.push(d));
    c.on('end', () => {
      const buf = Buffer.concat(chunks);
      let out = Buffer.alloc(0);
      for (let o = 0; o + 8 <= buf.length;) {
        const type = buf[o + 1]; const len = buf.readUInt16BE(o + 4); const pad = buf[o + 6];
        if (type === 6) out = Buffer.concat([out, buf.subarray(o + 8, o + 8 + len)]);
        o += 8 + len + pad;
      }
      resolve(out.toString());
    });
    const params = { REQUEST_METHOD: 'POST', REQUEST_URI: path, SCRIPT_NAME: path, CONTENT_TYPE: 'application/json',
      CONTENT_LENGTH: String(body.length), HTTP_ACCEPT: 'application/json, text/event-stream', SERVER_PROTOCOL: 'HTTP/1.1', ...extra };
    const begin = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]); // role RESPONDER, no keep-conn
    const head = Buffer.concat([record(1, 1, begin), record(4, 1, Buffer.concat(Object.entries(params).map(([k, v]) => nv(k, v)))),
      record(4, 1, Buffer.alloc(0))]);
    const stdin = Buffer.concat([record(5, 1, body), record(5, 1, Buffer.alloc(0))]);
    if (!pauseMs) c.write(Buffer.concat([head, stdin]));
    else { c.write(head); setTimeout(() => c.write(stdin), pauseMs); }
  });
}
module.exports = { request };
if (require.main === module) {
  const t0 = process.hrtime.bigint();
  request(process.argv[2], process.argv[3], fs.readFileSync(process.argv[4])).then((r) => {
    console.log(`${r.split('\r\n')[0]} ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(2)} ms`);
  }).catch((e) => { console.error(e.message); process.exit(1); });
}
