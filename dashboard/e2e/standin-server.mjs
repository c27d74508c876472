#!/usr/bin/env node
// Development aid: a stand-in for the SysLens API on 127.0.0.1 that serves a dashboard build and a fleet of N
// nodes with a live WebSocket sending every node's sample every 10 s (N/10 messages a second), filtered
// by subscription when the client connects with ?subscribe=none, as the server does (docs/api.md).
// usage: node e2e/standin-server.mjs DIST PORT NODES (loopback only; any user name and password sign in)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const [distArg, port, nodesArg] = process.argv.slice(2);
const dist = path.resolve(distArg);
const N = Number(nodesArg || 10000);
const ids = Array.from({ length: N }, (_, i) => `host-${String(i).padStart(5, '0')}`);
const cpu = () => Math.round(Math.random() * 1000) / 10;
const nodeInfo = (id) => ({ id, kind: 'agent', hostname: id, os: 'Linux 6.1', agentVersion: '0.1.0', labels: { group: `g${id.slice(-1)}` }, status: 'online', lastSeen: Date.now(), configVersion: 1, cpuPercent: cpu(), memoryPercent: cpu() });
const overview = () => ({ status: 'success', data: { generatedAt: Date.now() - 1000, total: N, truncated: false, layout: '00000000000000ab',
  summary: { status: { online: N }, kind: { agent: N } },
  nodes: { id: ids, hostname: ids, kind: ids.map(() => 'agent'), os: ids.map(() => 'Linux 6.1'), status: ids.map(() => 'online'),
    group: ids.map((id) => `g${id.slice(-1)}`), labels: ids.map((id) => ({ group: `g${id.slice(-1)}` })), cpu: ids.map(cpu), memory: ids.map(cpu), disk: ids.map(cpu), netBytesPerSec: ids.map(() => Math.random() * 1e6) } } });
const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml' };

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const json = (o, code = 200) => { res.writeHead(code, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(o)); };
  if (url.pathname === '/api/v1/auth/login') return json({ token: 'tok', expiresAt: Date.now() + 3600_000, username: 'admin' });
  if (url.pathname === '/api/v1/fleet/overview') return json(overview());
  if (url.pathname === '/api/v1/nodes') return json({ status: 'success', data: ids.map(nodeInfo) });
  if (url.pathname === '/api/v1/me') return json({ status: 'error', error: 'no' }, 404);
  if (url.pathname.startsWith('/api/')) return json({ status: 'success', data: [] });
  const file = path.join(dist, url.pathname === '/' ? 'index.html' : url.pathname);
  if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404); return res.end(); }
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});

function frame(text) {
  const b = Buffer.from(text);
  const head = b.length < 126 ? Buffer.from([0x81, b.length]) : b.length < 65536 ? Buffer.from([0x81, 126, b.length >> 8, b.length & 255]) : (() => { const h = Buffer.alloc(10); h[0] = 0x81; h[1] = 127; h.writeBigUInt64BE(BigInt(b.length), 2); return h; })();
  return Buffer.concat([head, b]);
}

server.on('upgrade', (req, socket) => {
  const url = new URL(req.url, 'http://x');
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  let sub = url.searchParams.get('subscribe') === 'none' ? new Set() : null;
  socket.write(frame(JSON.stringify({ type: 'snapshot', nodes: sub ? [] : ids.map(nodeInfo) })));
  let buf = Buffer.alloc(0);
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1] & 127, off = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
      if (buf.length < off + 4 + len) return;
      const mask = buf.subarray(off, off + 4);
      const data = Buffer.from(buf.subarray(off + 4, off + 4 + len));
      for (let i = 0; i < data.length; i++) data[i] ^= mask[i & 3];
      const op = buf[0] & 15;
      buf = buf.subarray(off + 4 + len);
      if (op === 8) { socket.end(); return; }
      if (op === 1) {
        const m = JSON.parse(data.toString());
        sub = m.nodes === 'all' ? null : new Set(m.nodes);
        socket.write(frame(JSON.stringify({ type: 'snapshot', nodes: sub ? [...sub].map(nodeInfo) : ids.map(nodeInfo) })));
      }
    }
  });
  // N/10 samples a second, in 10 ms ticks.
  let next = 0;
  const timer = setInterval(() => {
    const per = Math.max(1, Math.round(N / 1000));
    for (let k = 0; k < per; k++) {
      const id = ids[next++ % N];
      if (sub && !sub.has(id)) continue;
      socket.write(frame(JSON.stringify({ type: 'sample', nodeId: id, t: Date.now(), cpuPercent: cpu(), memoryPercent: cpu(), load1: 1, netRxBytesPerSec: 1000, netTxBytesPerSec: 1000, diskReadBytesPerSec: 0, diskWriteBytesPerSec: 0, diskPercent: 50 })));
    }
  }, 10);
  socket.on('close', () => clearInterval(timer));
  socket.on('error', () => clearInterval(timer));
});
server.listen(Number(port), '127.0.0.1', () => console.error(`fake on ${port}, ${N} nodes, dist ${dist}`));
