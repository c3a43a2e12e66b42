#!/usr/bin/env node
// A loopback stand-in for the AgentCore Runtime data plane that VERIFIES SigV4 signatures with an
// implementation nobody in this project wrote (@smithy/signature-v4, the signer of the AWS JS SDK)
// and streams a Strands-style SSE answer back.
//
// Route: POST /runtimes/{url-encoded ARN}/invocations?qualifier=...
//
// Usage:
//   node sigv4-agent-server.mjs --region us-west-2 \
//        --credential AKID:SECRET[:SESSIONTOKEN] [--credential ...] [--max-lifetime-seconds 600]
// or the environment: SIGV4_REGION, SIGV4_ACCESS_KEY_ID, SIGV4_SECRET_ACCESS_KEY, SIGV4_SESSION_TOKEN.
//
// stdout: "LISTENING <port>" once listening on 127.0.0.1 (ephemeral port), then one JSON line per event:
//   {"type":"request", "signatureValid", "sessionId", "path", "query", "qualifier", "status", "requestId", ...}
//   {"type":"completed", "sessionId", "requestId", "text", "usage"}    the whole stream was written
//   {"type":"aborted", "sessionId", "requestId", "sent"}               the client hung up mid-stream
// Secrets are never printed.
//
// Prompt modes (the prompt is the "prompt" field of a JSON body, or the whole body):
//   contains "throttle": the first request of a session gets 429 ThrottlingException, the retry the answer.
//   contains "slow":     ~100 deltas, 100 ms apart (so a client can hang up mid-stream).
//   contains "truncate": 3 deltas, then the connection is destroyed without ending the chunked body.
//   otherwise:           "You said: <prompt>" streamed word by word, 20 ms apart.

import http from "node:http";
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/protocol-http";
import { Sha256 } from "@aws-crypto/sha256-js";

const SERVICE = "bedrock-agentcore";
const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";
const MAX_SKEW_MS = 5 * 60 * 1000;

// ---- Configuration ----
const args = process.argv.slice(2);
let region = process.env.SIGV4_REGION || "us-west-2";
let maxLifetimeSeconds = 600;
const credentials = new Map(); // accessKeyId -> { accessKeyId, secretAccessKey, sessionToken? }
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => {
    if (i + 1 >= args.length) fatal(`${a} needs a value`);
    return args[++i];
  };
  if (a === "--region") region = value();
  else if (a === "--max-lifetime-seconds") maxLifetimeSeconds = Number(value());
  else if (a === "--credential") {
    const [accessKeyId, secretAccessKey, ...rest] = value().split(":");
    if (!accessKeyId || !secretAccessKey) fatal("--credential must be AKID:SECRET[:SESSIONTOKEN]");
    const sessionToken = rest.length > 0 ? rest.join(":") : undefined;
    credentials.set(accessKeyId, { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) });
  } else fatal(`unknown argument ${a}`);
}
if (process.env.SIGV4_ACCESS_KEY_ID && process.env.SIGV4_SECRET_ACCESS_KEY) {
  const c = { accessKeyId: process.env.SIGV4_ACCESS_KEY_ID, secretAccessKey: process.env.SIGV4_SECRET_ACCESS_KEY };
  if (process.env.SIGV4_SESSION_TOKEN) c.sessionToken = process.env.SIGV4_SESSION_TOKEN;
  credentials.set(c.accessKeyId, c);
}
if (credentials.size === 0) fatal("no credentials: pass --credential AKID:SECRET[:TOKEN] or set SIGV4_ACCESS_KEY_ID/SIGV4_SECRET_ACCESS_KEY");

function fatal(message) {
  process.stderr.write(`sigv4-agent-server: ${message}\n`);
  process.exit(2);
}

const log = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- SigV4 verification with @smithy/signature-v4 ----
const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})$/;

function parseAmzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? "");
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function parseQuery(rawQuery) {
  const query = {};
  if (!rawQuery) return query;
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? null : decodeURIComponent(part.slice(eq + 1));
    if (key in query) query[key] = [].concat(query[key], value);
    else query[key] = value;
  }
  return query;
}

/** Returns { valid: true, accessKeyId } or { valid: false, errorType, status, reason }. */
async function verifySignature(req, rawPath, query, body) {
  const authorization = req.headers["authorization"];
  if (!authorization) return { valid: false, status: 403, errorType: "MissingAuthenticationTokenException", reason: "no Authorization header" };
  const m = AUTH_RE.exec(authorization);
  if (!m) return { valid: false, status: 403, errorType: "IncompleteSignatureException", reason: "malformed Authorization header" };
  const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedHeadersText, signature] = m;

  const creds = credentials.get(accessKeyId);
  if (!creds) return { valid: false, status: 403, errorType: "UnrecognizedClientException", reason: "unknown access key id" };

  const signingDate = parseAmzDate(req.headers["x-amz-date"]);
  if (!signingDate) return { valid: false, status: 403, errorType: "IncompleteSignatureException", reason: "missing or malformed x-amz-date" };
  if (Math.abs(Date.now() - signingDate.getTime()) > MAX_SKEW_MS)
    return { valid: false, status: 403, errorType: "InvalidSignatureException", reason: "signature expired (clock skew)" };
  if (scopeDate !== req.headers["x-amz-date"].slice(0, 8))
    return { valid: false, status: 403, errorType: "InvalidSignatureException", reason: "credential scope date differs from x-amz-date" };
  if (scopeRegion !== region || scopeService !== SERVICE)
    return { valid: false, status: 403, errorType: "InvalidSignatureException", reason: `credential scope ${scopeRegion}/${scopeService} is not ${region}/${SERVICE}` };

  const signedHeaders = signedHeadersText.split(";");
  for (const required of ["host", "x-amz-date"]) {
    if (!signedHeaders.includes(required))
      return { valid: false, status: 403, errorType: "InvalidSignatureException", reason: `${required} is not signed` };
  }

  // A signed payload hash must be the hash of the body that actually arrived.
  const bodyHash = createHash("sha256").update(body).digest("hex");
  const claimedHash = req.headers["x-amz-content-sha256"];
  if (claimedHash !== undefined && claimedHash !== "UNSIGNED-PAYLOAD" && claimedHash !== bodyHash)
    return { valid: false, status: 400, errorType: "XAmzContentSHA256Mismatch", reason: "x-amz-content-sha256 is not the hash of the body" };

  // Only the headers the client said it signed; each must be on the request.
  const headers = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (value === undefined)
      return { valid: false, status: 403, errorType: "InvalidSignatureException", reason: `signed header ${name} is not on the request` };
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }

  const request = new HttpRequest({
    method: req.method,
    protocol: "http:",
    hostname: (req.headers.host ?? "").replace(/:\d+$/, ""),
    port: req.socket.localPort,
    path: rawPath, // as received: still percent-encoded; the signer encodes it once more
    query,
    headers,
    body,
  });

  const signer = new SignatureV4({
    service: SERVICE,
    region,
    credentials: creds,
    sha256: Sha256,
    applyChecksum: false, // never add x-amz-content-sha256 the client did not sign
  });
  const signed = await signer.sign(request, {
    signingDate,
    signableHeaders: new Set(signedHeaders),
  });
  const expected = AUTH_RE.exec(signed.headers["authorization"]);
  if (!expected) return { valid: false, status: 500, errorType: "InternalServerException", reason: "the verifier produced no signature" };
  const [, , , , , expectedSignedHeaders, expectedSignature] = expected;

  if (expectedSignedHeaders !== signedHeadersText)
    return {
      valid: false,
      status: 403,
      errorType: "InvalidSignatureException",
      reason: `SignedHeaders ${signedHeadersText} but the verifier signed ${expectedSignedHeaders}` +
        (creds.sessionToken && !signedHeaders.includes("x-amz-security-token") ? " (session token not signed)" : ""),
    };
  if (!timingSafeEqual(Buffer.from(expectedSignature), Buffer.from(signature)))
    return { valid: false, status: 403, errorType: "InvalidSignatureException", reason: "signature mismatch" };
  return { valid: true, accessKeyId, signedHeaders: signedHeadersText };
}

// ---- The agent ----
const throttledSessions = new Set();

function sendError(res, status, errorType, message, requestId) {
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "x-amzn-ErrorType": errorType,
    "x-amzn-RequestId": requestId,
  });
  res.end(body);
}

function plan(prompt) {
  if (prompt.includes("slow")) {
    const deltas = [];
    for (let i = 1; i <= 100; i++) deltas.push(`word${i} `);
    return { deltas, delayMs: 100 };
  }
  const text = `You said: ${prompt}`;
  // Split before each word, keeping every character, so the deltas join back to `text` exactly.
  return { deltas: text.split(/(?<=\s)(?=\S)/), delayMs: 20 };
}

async function streamAnswer(req, res, sessionId, requestId, prompt) {
  const { deltas, delayMs } = plan(prompt);
  let closed = false;
  let truncated = false;
  let sent = 0;
  res.on("close", () => {
    closed = true;
    if (!res.writableEnded && !truncated) log({ type: "aborted", sessionId, requestId, sent });
  });

  res.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": sessionId,
    "x-amzn-RequestId": requestId,
  });
  res.flushHeaders();

  const inputTokens = prompt.split(/\s+/).filter(Boolean).length;
  const outputTokens = deltas.length;
  const events = [
    { event: { messageStart: { role: "assistant" } } },
    ...deltas.map((text) => ({ event: { contentBlockDelta: { delta: { text }, contentBlockIndex: 0 } } })),
    { event: { contentBlockStop: { contentBlockIndex: 0 } } },
    { event: { messageStop: { stopReason: "end_turn" } } },
    { event: { metadata: { usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens } } } },
  ];

  const truncateAfter = prompt.includes("truncate") ? 4 : Infinity; // messageStart + 3 deltas
  for (const event of events) {
    if (closed || res.destroyed) return;
    if (sent === truncateAfter) {
      truncated = true;
      log({ type: "truncated", sessionId, requestId, sent });
      res.socket?.destroy();
      return;
    }
    res.write(`data: ${JSON.stringify(event)}\n\n`);
    sent++;
    await sleep(delayMs);
  }
  if (closed || res.destroyed) return;
  res.end();
  log({ type: "completed", sessionId, requestId, text: deltas.join(""), usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens } });
}

async function handle(req, res) {
  const requestId = randomUUID();
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);

  const rawUrl = req.url ?? "/";
  const q = rawUrl.indexOf("?");
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? "" : rawUrl.slice(q + 1);
  const query = parseQuery(rawQuery);
  const sessionId = req.headers[SESSION_HEADER] ?? null;
  const entry = {
    type: "request",
    method: req.method,
    path: rawPath,
    rawQuery,
    query,
    qualifier: query.qualifier ?? null,
    sessionId,
    requestId,
    securityToken: "x-amz-security-token" in req.headers,
    contentType: req.headers["content-type"] ?? null,
    accept: req.headers["accept"] ?? null,
  };

  const route = /^\/runtimes\/([^/]+)\/invocations$/.exec(rawPath);
  if (req.method !== "POST" || !route) {
    log({ ...entry, signatureValid: null, status: 404 });
    return sendError(res, 404, "ResourceNotFoundException", `No route for ${req.method} ${rawPath}`, requestId);
  }
  entry.runtimeArn = decodeURIComponent(route[1]);

  let verdict;
  try {
    verdict = await verifySignature(req, rawPath, query, body);
  } catch (e) {
    verdict = { valid: false, status: 500, errorType: "InternalServerException", reason: `verifier failed: ${e.message}` };
  }
  if (!verdict.valid) {
    log({ ...entry, signatureValid: false, reason: verdict.reason, status: verdict.status, errorType: verdict.errorType });
    const message =
      verdict.errorType === "InvalidSignatureException"
        ? "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        : verdict.reason;
    return sendError(res, verdict.status, verdict.errorType, message, requestId);
  }
  entry.signatureValid = true;
  entry.signedHeaders = verdict.signedHeaders;

  if (!sessionId) {
    log({ ...entry, status: 400, errorType: "ValidationException" });
    return sendError(res, 400, "ValidationException", "The runtime session id header is required.", requestId);
  }

  let prompt = body.toString("utf8");
  try {
    const parsed = JSON.parse(prompt);
    if (parsed && typeof parsed.prompt === "string") prompt = parsed.prompt;
  } catch {
    // Not JSON: the whole body is the prompt.
  }
  entry.prompt = prompt;

  if (prompt.includes("throttle") && !throttledSessions.has(sessionId)) {
    throttledSessions.add(sessionId);
    log({ ...entry, status: 429, errorType: "ThrottlingException" });
    return sendError(res, 429, "ThrottlingException", "Rate exceeded", requestId);
  }

  log({ ...entry, status: 200 });
  await streamAnswer(req, res, sessionId, requestId, prompt);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    process.stderr.write(`sigv4-agent-server: ${e.stack ?? e}\n`);
    if (!res.headersSent) sendError(res, 500, "InternalServerException", "internal error", randomUUID());
    else res.destroy();
  });
});
server.keepAliveTimeout = 5000;

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});

// Never outlive a crashed test run by long.
setTimeout(() => process.exit(0), maxLifetimeSeconds * 1000).unref();
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
