// Starts s3rver with S3's conditional writes (If-None-Match: * and If-Match: <etag> on PutObject,
// answered with 412 PreconditionFailed), which real S3 and MinIO support and s3rver 3.7 lacks.
// MerFactory's object store relies on them for create-if-absent / update-if-unchanged.
'use strict';
const objectCtrl = require('s3rver/lib/controllers/object');
const S3Error = require('s3rver/lib/models/error');
const S3rver = require('s3rver');

const originalPut = objectCtrl.putObject;
const keyLocks = new Map(); // serialises conditional writes per key (node is single-threaded, awaits are not)

objectCtrl.putObject = async function conditionalPutObject(ctx) {
  const noneMatch = ctx.headers['if-none-match'];
  const match = ctx.headers['if-match'];
  if (!noneMatch && !match) return originalPut(ctx);
  const lockKey = `${ctx.params.bucket}/${ctx.params.key}`;
  const previous = keyLocks.get(lockKey) || Promise.resolve();
  let release;
  const current = new Promise((resolve) => (release = resolve));
  keyLocks.set(lockKey, previous.then(() => current));
  await previous;
  try {
    const existing = await ctx.store.getObject(ctx.params.bucket, ctx.params.key, { start: 0, end: 0 })
      .catch(() => null);
    const etag = existing ? String(existing.metadata.etag).replace(/"/g, '') : null;
    if (existing && existing.content && existing.content.destroy) existing.content.destroy();
    if (noneMatch === '*' && existing) throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
    if (match && (!existing || match.replace(/"/g, '') !== etag)) throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
    return await originalPut(ctx);
  } finally {
    release();
    if (keyLocks.get(lockKey) === current) keyLocks.delete(lockKey);
  }
};

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const server = new S3rver({
  address: arg('address', '127.0.0.1'),
  port: Number(arg('port', '15300')),
  directory: arg('directory', './s3-data'),
  silent: process.argv.includes('--silent'),
  configureBuckets: (arg('buckets', '') || '').split(',').filter(Boolean).map((name) => ({ name })),
});
// S3_REQUEST_LOG=FILE appends one line per request (method, path, query, status, bytes, ms): how to see what a run
// asks of the store (this is how the SDK's hidden bucket and stat requests showed up).
if (process.env.S3_REQUEST_LOG) {
  const fs = require('fs');
  const log = fs.createWriteStream(process.env.S3_REQUEST_LOG, { flags: 'a' });
  server.middleware.unshift(async (ctx, next) => {
    const t = process.hrtime.bigint();
    await next();
    log.write(`${ctx.method} ${ctx.path} ${ctx.querystring} ${ctx.status} ${ctx.length || 0} ${Number(process.hrtime.bigint() - t) / 1e6}\n`);
  });
}
server.run().then(({ address, port }) => {
  console.log(`s3rver listening on ${address}:${port}`);
});
const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
