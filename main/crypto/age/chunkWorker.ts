/**
 * The payload worker thread: seals or opens whole blocks of STREAM chunks handed over by
 * chunkWorkerClient.ts, with the functions of chunks.ts (the one STREAM implementation), in place
 * in the transferred buffer, which goes back with the reply. Shipped as its own file by both
 * builds (scripts/build-cli.mjs, electron.vite.config.ts).
 */
import { parentPort } from 'node:worker_threads';
import { openBlockInPlace, sealBlockInPlace } from './chunks.js';
import type { ChunkReply, ChunkRequest } from './chunkWorkerClient.js';

const port = parentPort;
if (port === null) throw new Error('chunkWorker.ts runs as a worker thread');

port.on('message', (req: ChunkRequest) => {
  const key = Buffer.from(req.key.buffer, req.key.byteOffset, req.key.byteLength);
  const buf = Buffer.from(req.buffer, req.at, req.capacity);
  let reply: ChunkReply;
  try {
    const result = req.op === 'seal' ? sealBlockInPlace(key, req.counter, buf, req.length, req.final) : openBlockInPlace(key, req.counter, buf, req.length);
    reply = { id: req.id, buffer: req.buffer, result };
  } catch (err) {
    reply = { id: req.id, buffer: req.buffer, error: err instanceof Error ? err.message : String(err) };
  } finally {
    key.fill(0);
  }
  port.postMessage(reply, [req.buffer]);
});
port.postMessage({ ready: true });
