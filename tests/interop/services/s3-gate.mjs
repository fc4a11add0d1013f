#!/usr/bin/env node
// s3-gate: a reverse proxy that checks AWS Signature V4 (header auth) before a request
// reaches s3rver, which itself accepts any signature. The signature is recomputed with AWS's
// own signer (@smithy/signature-v4) over the request exactly as it arrived: method, raw path,
// query, and the headers the client listed in SignedHeaders.
//
//   node s3-gate.mjs --port 4569 --upstream http://127.0.0.1:4568
//                    [--key AK --secret SK]...  (repeatable; default S3RVER / S3RVER)
//                    [--require-auth] [--region R] [--max-skew SECONDS] [--upstream-key AK]
//                    [--host 127.0.0.1]
//
// --port 0 picks a free port; the first stdout line is "s3-gate listening on http://H:P -> UPSTREAM".
// Each request is logged on stderr as "METHOD URL -> STATUS CODE".
//
// Errors, as S3 XML (<Error><Code>..</Code><Message>..</Message>..</Error>):
//   403 AccessDenied               unsigned request with --require-auth; x-amz-* header not signed
//   403 InvalidAccessKeyId         access key not given with --key
//   403 SignatureDoesNotMatch      recomputed signature differs (the body carries CanonicalRequest
//                                  and StringToSign, as AWS does, to debug a client)
//   403 RequestTimeTooSkewed       x-amz-date more than --max-skew seconds (900) from now
//   400 XAmzContentSHA256Mismatch  x-amz-content-sha256 is not the SHA-256 of the body
//   400 InvalidRequest             x-amz-content-sha256 missing
//   400 AuthorizationHeaderMalformed / InvalidArgument  unparsable auth, wrong service/region
//   501 NotImplemented             presigned URLs (query auth), STREAMING-* payloads
//   502 BadGateway                 upstream unreachable
// Without --require-auth an unsigned request is forwarded as is (s3rver treats it as anonymous).
// A verified request is forwarded with the same method, path, query, headers and body; the
// access key in its Authorization header is replaced by --upstream-key (s3rver only knows
// S3RVER) when they differ. The answer is streamed back unchanged.
import http from 'node:http'
import crypto from 'node:crypto'
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4'
import { Hash } from '@smithy/hash-node'

const ALGORITHM = 'AWS4-HMAC-SHA256'
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
// Hop-by-hop headers: meaningful for one connection only, never forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding',
  'te', 'trailer', 'upgrade', 'expect'])

function parseArgs (argv) {
  const o = { port: 4569, host: '127.0.0.1', upstream: 'http://127.0.0.1:4568', keys: [], secrets: [],
    requireAuth: false, region: null, maxSkew: 900, upstreamKey: 'S3RVER' }
  const need = (i) => {
    if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`)
    return argv[i + 1]
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    switch (a) {
      case '--port': o.port = Number(need(i)); i++; break
      case '--host': o.host = need(i); i++; break
      case '--upstream': o.upstream = need(i); i++; break
      case '--key': o.keys.push(need(i)); i++; break
      case '--secret': o.secrets.push(need(i)); i++; break
      case '--require-auth': o.requireAuth = true; break
      case '--region': o.region = need(i); i++; break
      case '--max-skew': o.maxSkew = Number(need(i)); i++; break
      case '--upstream-key': o.upstreamKey = need(i); i++; break
      case '-h': case '--help': usage(null); break
      default: usage(`unknown argument: ${a}`)
    }
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) usage('--port must be 0..65535')
  if (!Number.isFinite(o.maxSkew) || o.maxSkew < 0) usage('--max-skew must be >= 0 (0 disables)')
  if (o.keys.length === 0 && o.secrets.length === 0) { o.keys.push('S3RVER'); o.secrets.push('S3RVER') }
  if (o.keys.length !== o.secrets.length) usage('give --key and --secret in pairs')
  try { o.upstream = new URL(o.upstream) } catch { usage(`bad --upstream URL: ${o.upstream}`) }
  if (o.upstream.protocol !== 'http:') usage('--upstream must be an http:// URL')
  o.credentials = new Map(o.keys.map((k, i) => [k, o.secrets[i]]))
  return o
}

function usage (err) {
  const text = 'usage: node s3-gate.mjs --port N --upstream http://127.0.0.1:P [--key AK --secret SK]... ' +
    '[--require-auth] [--region R] [--max-skew S] [--upstream-key AK] [--host H]'
  if (err) { console.error(`s3-gate: ${err}\n${text}`); process.exit(2) }
  console.log(text); process.exit(0)
}

const opts = parseArgs(process.argv.slice(2))

class S3Failure {
  constructor (status, code, message, extra = {}) {
    Object.assign(this, { status, code, message, extra })
  }
}
const fail = (status, code, message, extra) => { throw new S3Failure(status, code, message, extra) }

const xmlEscape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function sendError (req, res, f) {
  const fields = { Code: f.code, Message: f.message, ...f.extra,
    Resource: req.url.split('?')[0], RequestId: crypto.randomBytes(8).toString('hex').toUpperCase() }
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    Object.entries(fields).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('') + '</Error>\n'
  res.writeHead(f.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

// The query as the client sent it, decoded (smithy re-encodes it the AWS way). A "+" stays a
// "+" (it is not form-encoding), so a client that signs an unencoded "+" is caught.
function parseQuery (rawQuery) {
  const query = {}
  for (const part of rawQuery.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    let k, v
    try {
      k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq))
      v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1))
    } catch {
      fail(400, 'InvalidArgument', `malformed percent-encoding in the query: ${part}`)
    }
    if (Object.hasOwn(query, k)) query[k] = [].concat(query[k], v)
    else query[k] = v
  }
  return query
}

// "20240101T000000Z" -> Date, or null when it is not in that exact form.
function parseAmzDate (s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '')
  if (!m) return null
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]))
  return Number.isNaN(d.getTime()) ? null : d
}

// One header value as a string; repeated headers are joined with "," as SigV4 requires.
const headerValue = (req, name) => {
  const v = req.headersDistinct[name]
  return v === undefined ? undefined : v.join(',')
}

// Returns null when the request may pass unauthenticated, the access key otherwise; throws
// S3Failure when it must be refused.
async function verify (req, body) {
  const [rawPath, ...rest] = req.url.split('?')
  const rawQuery = rest.join('?')
  const query = parseQuery(rawQuery)
  const qkeys = Object.keys(query).map((k) => k.toLowerCase())
  const auth = headerValue(req, 'authorization')
  if (qkeys.includes('x-amz-signature') || qkeys.includes('x-amz-algorithm') || qkeys.includes('signature')) {
    fail(501, 'NotImplemented', 'query-string authentication (presigned URLs) is not supported by this gate')
  }
  if (auth === undefined) {
    if (opts.requireAuth) fail(403, 'AccessDenied', 'Anonymous access is forbidden: sign the request with SigV4')
    return null
  }
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;_.-]+), ?Signature=([0-9a-f]{64})$/.exec(auth)
  if (!m) {
    fail(400, 'AuthorizationHeaderMalformed',
      'only SigV4 header auth is supported: "AWS4-HMAC-SHA256 Credential=AK/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=HEX"')
  }
  const [, accessKey, day, region, service, signedHeaderList, signature] = m
  if (!opts.credentials.has(accessKey)) {
    fail(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: accessKey })
  }
  if (service !== 's3') fail(400, 'AuthorizationHeaderMalformed', `the credential scope service must be "s3", not "${service}"`)
  if (opts.region && region !== opts.region) {
    fail(400, 'AuthorizationHeaderMalformed', `the region '${region}' is wrong; expecting '${opts.region}'`, { Region: opts.region })
  }
  const amzDate = headerValue(req, 'x-amz-date')
  const signingDate = parseAmzDate(amzDate)
  if (!signingDate) fail(403, 'AccessDenied', 'AWS authentication requires a valid x-amz-date header (YYYYMMDDTHHMMSSZ)')
  if (amzDate.slice(0, 8) !== day) {
    fail(403, 'SignatureDoesNotMatch', `the credential date ${day} is not the day of x-amz-date ${amzDate}`)
  }
  if (opts.maxSkew > 0 && Math.abs(Date.now() - signingDate.getTime()) > opts.maxSkew * 1000) {
    fail(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.',
      { RequestTime: amzDate, ServerTime: new Date().toISOString(), MaxAllowedSkewMilliseconds: opts.maxSkew * 1000 })
  }

  const payloadHash = headerValue(req, 'x-amz-content-sha256')
  if (payloadHash === undefined) fail(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256')
  if (payloadHash.startsWith('STREAMING-')) {
    fail(501, 'NotImplemented', `x-amz-content-sha256 ${payloadHash} (aws-chunked uploads) is not supported by this gate`)
  }
  if (payloadHash !== 'UNSIGNED-PAYLOAD') {
    if (!/^[0-9a-f]{64}$/.test(payloadHash)) {
      fail(400, 'InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the lowercase hex SHA-256 of the body',
        { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash })
    }
    const actual = crypto.createHash('sha256').update(body).digest('hex')
    if (actual !== payloadHash) {
      fail(400, 'XAmzContentSHA256Mismatch', 'The provided \'x-amz-content-sha256\' header does not match what was computed.',
        { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: actual })
    }
  }

  const signed = signedHeaderList.split(';')
  if (!signed.includes('host')) fail(403, 'AccessDenied', 'the host header must be signed')
  const unsignedAmz = Object.keys(req.headers).filter((h) => h.startsWith('x-amz-') && !signed.includes(h))
  if (unsignedAmz.length > 0) {
    fail(403, 'AccessDenied', 'There were headers present in the request which were not signed',
      { HeadersNotSigned: unsignedAmz.join(', ') })
  }
  const headers = {}
  for (const h of signed) {
    const v = headerValue(req, h)
    if (v === undefined) fail(403, 'AccessDenied', `signed header "${h}" is not in the request`)
    headers[h] = v
  }

  // Recompute with AWS's signer. It re-adds x-amz-date from signingDate and reads the payload
  // hash from x-amz-content-sha256; signableHeaders/unsignableHeaders make the canonical header
  // set exactly the client's list (smithy would otherwise drop "expect", "user-agent", ...).
  const secretAccessKey = opts.credentials.get(accessKey)
  const signer = new SignatureV4({ credentials: { accessKeyId: accessKey, secretAccessKey }, region, service,
    sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false })
  const request = { method: req.method, protocol: 'http:', hostname: headers.host, path: rawPath, query,
    headers: { ...headers, 'x-amz-content-sha256': payloadHash } }
  const signOptions = { signingDate, signableHeaders: new Set(signed),
    unsignableHeaders: new Set(['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token']) }
  const out = await signer.sign(request, signOptions)
  const want = /SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(out.headers.authorization)
  if (want[1] !== signedHeaderList || want[2] !== signature) {
    // Same inputs again, to show the client what was signed on this side.
    const canonicalRequest = signer.createCanonicalRequest({ ...request, headers: { ...request.headers, 'x-amz-date': amzDate } },
      getCanonicalHeaders({ headers: { ...request.headers, 'x-amz-date': amzDate } }, signOptions.unsignableHeaders, signOptions.signableHeaders),
      payloadHash)
    const stringToSign = await signer.createStringToSign(amzDate, `${day}/${region}/${service}/aws4_request`, canonicalRequest, ALGORITHM)
    fail(403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: accessKey, SignatureProvided: signature, StringToSign: stringToSign, CanonicalRequest: canonicalRequest })
  }
  return accessKey
}

function forward (req, res, body, accessKey) {
  const headers = {}
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!HOP_BY_HOP.has(name)) headers[name] = values.length === 1 ? values[0] : values
  }
  headers['content-length'] = String(body.length)
  if (accessKey && accessKey !== opts.upstreamKey) {
    headers.authorization = headers.authorization.replace(/Credential=[^/]+\//, `Credential=${opts.upstreamKey}/`)
  }
  const up = http.request({ host: opts.upstream.hostname, port: opts.upstream.port || 80, method: req.method,
    path: req.url, headers }, (ur) => {
    const back = {}
    for (const [name, values] of Object.entries(ur.headersDistinct)) {
      if (!HOP_BY_HOP.has(name)) back[name] = values.length === 1 ? values[0] : values
    }
    res.writeHead(ur.statusCode, ur.statusMessage, back)
    ur.pipe(res)
    ur.on('error', () => res.destroy())
    console.error(`${req.method} ${req.url} -> ${ur.statusCode} upstream`)
  })
  up.on('error', (e) => {
    if (res.headersSent) { res.destroy(); return }
    console.error(`${req.method} ${req.url} -> 502 BadGateway (${e.message})`)
    sendError(req, res, new S3Failure(502, 'BadGateway', `upstream ${opts.upstream.origin}: ${e.message}`))
  })
  res.on('close', () => { if (!res.writableFinished) up.destroy() })
  up.end(body)
}

const server = http.createServer((req, res) => {
  const parts = []
  req.on('data', (c) => parts.push(c))
  req.on('error', () => res.destroy())
  req.on('end', async () => {
    const body = Buffer.concat(parts)
    let accessKey
    try {
      accessKey = await verify(req, body)
    } catch (e) {
      const f = e instanceof S3Failure ? e : new S3Failure(500, 'InternalError', String(e?.stack || e))
      console.error(`${req.method} ${req.url} -> ${f.status} ${f.code}: ${f.message}`)
      sendError(req, res, f)
      return
    }
    forward(req, res, body, accessKey)
  })
})
server.on('error', (e) => {
  console.error(`s3-gate: cannot listen on ${opts.host}:${opts.port}: ${e.message}`)
  process.exit(1)
})
server.listen(opts.port, opts.host, () => {
  const { port } = server.address()
  console.log(`s3-gate listening on http://${opts.host}:${port} -> ${opts.upstream.origin}`)
})
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { server.close(); process.exit(0) })
