#!/usr/bin/env node
// Produces the exact signed HTTP request that the official JS client
// (@aws-sdk/client-bedrock-agentcore) builds for InvokeAgentRuntime, without any
// network I/O: a custom requestHandler captures the request and returns a fake 200.
//
// stdin : one JSON object
//   { runtimeArn, qualifier?, accountId?, sessionId?, userId?, contentType?, accept?,
//     body, accessKeyId, secretAccessKey, sessionToken?, region, endpoint?, signingTime,
//     useFipsEndpoint?, useDualstackEndpoint? }
// stdout: one JSON object
//   { method, protocol, hostname, port, path, query, headers, authorization,
//     signedHeaders, signature, canonicalRequest, url, bodyBase64 }
//
// Headers our .NET signer never signs (amz-sdk-invocation-id, amz-sdk-request,
// x-amz-user-agent) are removed by a middleware that runs before the client's
// signing middleware; user-agent (never signed) is dropped from the output.
// Exits non-zero with a message on stderr when any self-check fails.

import { createRequire } from "node:module";
import { createHash, createHmac } from "node:crypto";
import { Readable } from "node:stream";

const fail = (msg) => {
  process.stderr.write(`sign-invoke: ${msg}\n`);
  process.exit(1);
};

const readStdin = async () => {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
};

let input;
try {
  input = JSON.parse(await readStdin());
} catch (e) {
  fail(`stdin is not one JSON object: ${e.message}`);
}
for (const k of ["runtimeArn", "accessKeyId", "secretAccessKey", "region", "signingTime"]) {
  if (typeof input[k] !== "string" || input[k].length === 0) fail(`missing string field "${k}"`);
}
if (input.body != null && typeof input.body !== "string") fail(`"body" must be a string`);

// ---- Isolate from the environment: no AWS_* variables, no shared config files. ----
for (const k of Object.keys(process.env)) {
  if (k.startsWith("AWS_")) delete process.env[k];
}
process.env.AWS_CONFIG_FILE = "/nonexistent/sign-invoke/config";
process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/sign-invoke/credentials";
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true"; // keep stderr for real errors

// ---- Freeze the clock at signingTime (Date.now() and new Date()). ----
const fixedMs = Date.parse(input.signingTime);
if (Number.isNaN(fixedMs)) fail(`signingTime "${input.signingTime}" is not a date`);
const RealDate = Date;
class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(fixedMs);
    else super(...args);
  }
  static now() {
    return fixedMs;
  }
}
globalThis.Date = FixedDate;
const expectedAmzDate = new RealDate(fixedMs).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");

// ---- Load the client, and the very @smithy/signature-v4 module its signer uses. ----
const require = createRequire(import.meta.url);
const clientMain = require.resolve("@aws-sdk/client-bedrock-agentcore");
const { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } = await import(clientMain);
const requireFromClient = createRequire(clientMain);
const requireFromCore = createRequire(requireFromClient.resolve("@aws-sdk/core"));
const sigv4 = requireFromCore("@smithy/signature-v4");
const { SignatureV4, getCanonicalHeaders } = sigv4;

// Record the canonical request text the client's signer actually builds.
const signedCanonicalRequests = [];
const proto = Object.getPrototypeOf(SignatureV4.prototype).createCanonicalRequest
  ? Object.getPrototypeOf(SignatureV4.prototype)
  : SignatureV4.prototype;
const originalCreateCanonicalRequest = proto.createCanonicalRequest;
proto.createCanonicalRequest = function (...args) {
  const text = originalCreateCanonicalRequest.apply(this, args);
  signedCanonicalRequests.push(text);
  return text;
};

// ---- Capturing request handler: no network. ----
let captured = null;
const requestHandler = {
  metadata: { handlerProtocol: "http/1.1" },
  async handle(request) {
    captured = {
      method: request.method,
      protocol: request.protocol,
      hostname: request.hostname,
      port: request.port ?? null,
      path: request.path,
      query: JSON.parse(JSON.stringify(request.query ?? {})),
      headers: { ...request.headers },
      body: request.body,
    };
    return {
      response: {
        statusCode: 200,
        reason: "OK",
        headers: {
          "content-type": "application/json",
          "x-amzn-bedrock-agentcore-runtime-session-id": input.sessionId ?? "",
          "x-amzn-requestid": "00000000-0000-0000-0000-000000000000",
        },
        body: Readable.from([Buffer.from("{}")]),
      },
    };
  },
  updateHttpClientConfig() {},
  httpHandlerConfigs() {
    return {};
  },
  destroy() {},
};

const credentials = {
  accessKeyId: input.accessKeyId,
  secretAccessKey: input.secretAccessKey,
  ...(input.sessionToken ? { sessionToken: input.sessionToken } : {}),
};

const client = new BedrockAgentCoreClient({
  region: input.region,
  credentials,
  requestHandler,
  ...(input.endpoint ? { endpoint: input.endpoint } : {}),
  ...(input.useFipsEndpoint != null ? { useFipsEndpoint: !!input.useFipsEndpoint } : {}),
  ...(input.useDualstackEndpoint != null ? { useDualstackEndpoint: !!input.useDualstackEndpoint } : {}),
});

const REMOVED = ["amz-sdk-invocation-id", "amz-sdk-request", "x-amz-user-agent"];
client.middlewareStack.addRelativeTo(
  (next) => async (args) => {
    const req = args.request;
    if (req && req.headers) {
      for (const name of Object.keys(req.headers)) {
        if (REMOVED.includes(name.toLowerCase())) delete req.headers[name];
      }
    }
    return next(args);
  },
  {
    name: "stripHeadersNotSignedByDotNet",
    relation: "before",
    toMiddleware: "httpSigningMiddleware",
  },
);

const commandInput = {
  agentRuntimeArn: input.runtimeArn,
  payload: new TextEncoder().encode(input.body ?? ""),
};
if (input.qualifier != null) commandInput.qualifier = input.qualifier;
if (input.accountId != null) commandInput.accountId = input.accountId;
if (input.sessionId != null) commandInput.runtimeSessionId = input.sessionId;
if (input.userId != null) commandInput.runtimeUserId = input.userId;
if (input.contentType != null) commandInput.contentType = input.contentType;
if (input.accept != null) commandInput.accept = input.accept;

try {
  const res = await client.send(new InvokeAgentRuntimeCommand(commandInput));
  if (res.response && typeof res.response.transformToString === "function") await res.response.transformToString();
} catch (e) {
  fail(`client.send failed: ${e.name}: ${e.message}`);
}
if (!captured) fail("the request handler was never called");

// Check the stack order: our middleware must sit before the signer.
const order = client.middlewareStack.identify();
const iStrip = order.findIndex((s) => s.startsWith("stripHeadersNotSignedByDotNet"));
const iSign = order.findIndex((s) => s.startsWith("httpSigningMiddleware"));
if (iStrip < 0 || iSign < 0 || iStrip > iSign) fail(`middleware order wrong: ${JSON.stringify(order)}`);

// ---- Build the output. ----
const headers = {};
for (const [k, v] of Object.entries(captured.headers)) headers[k.toLowerCase()] = v;
const authorization = headers["authorization"];
if (!authorization) fail("no authorization header");
const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
  authorization,
);
if (!m) fail(`unexpected authorization header: ${authorization}`);
const [, akid, shortDate, scopeRegion, scopeService, signedHeaders, signature] = m;
delete headers["user-agent"];

if (signedCanonicalRequests.length !== 1)
  fail(`expected the signer to build 1 canonical request, saw ${signedCanonicalRequests.length}`);
const canonicalRequest = signedCanonicalRequests[0];

// ---- Self-checks. ----
if (headers["x-amz-date"] !== expectedAmzDate)
  fail(`x-amz-date ${headers["x-amz-date"]} != expected ${expectedAmzDate}`);
if (akid !== input.accessKeyId) fail(`credential ${akid} != ${input.accessKeyId}`);
if (scopeService !== "bedrock-agentcore") fail(`signing service is ${scopeService}`);
for (const h of REMOVED) {
  if (h in headers) fail(`header ${h} is still on the request`);
  if (signedHeaders.split(";").includes(h)) fail(`header ${h} was signed`);
}
if (input.sessionToken && headers["x-amz-security-token"] !== input.sessionToken)
  fail("x-amz-security-token missing or different");
if (!input.sessionToken && "x-amz-security-token" in headers) fail("unexpected x-amz-security-token");

// Recompute the canonical request independently from the final request with the
// package's helpers, restricted to the signed header names.
const verifier = new SignatureV4({
  service: scopeService,
  region: scopeRegion,
  credentials,
  sha256: class {
    constructor(secret) {
      this.h = secret ? createHmac("sha256", Buffer.from(secret)) : createHash("sha256");
    }
    update(d) {
      this.h.update(d);
    }
    async digest() {
      return new Uint8Array(this.h.digest());
    }
  },
});
const signedSet = new Set(signedHeaders.split(";"));
const allCanonical = getCanonicalHeaders({ headers: captured.headers }, undefined, signedSet);
const canonicalHeaders = Object.fromEntries(Object.entries(allCanonical).filter(([k]) => signedSet.has(k)));
if (Object.keys(canonicalHeaders).sort().join(";") !== signedHeaders)
  fail(`signed headers ${signedHeaders} not all present on the final request`);
const bodyBytes = captured.body == null ? new Uint8Array() : Buffer.from(captured.body);
const payloadHash = headers["x-amz-content-sha256"] ?? createHash("sha256").update(bodyBytes).digest("hex");
const recomputed = verifier.createCanonicalRequest(
  { method: captured.method, path: captured.path, query: captured.query, headers: captured.headers },
  canonicalHeaders,
  payloadHash,
);
if (recomputed !== canonicalRequest)
  fail(`recomputed canonical request differs:\n--- signed\n${canonicalRequest}\n--- recomputed\n${recomputed}`);
if (createHash("sha256").update(bodyBytes).digest("hex") !== canonicalRequest.split("\n").at(-1))
  fail("payload hash in the canonical request is not the SHA-256 of the body");

// Recompute the signature with plain node:crypto.
const hmac = (key, data) => createHmac("sha256", key).update(data, "utf8").digest();
let kSigning = Buffer.from(`AWS4${input.secretAccessKey}`, "utf8");
for (const part of [shortDate, scopeRegion, scopeService, "aws4_request"]) kSigning = hmac(kSigning, part);
const scope = `${shortDate}/${scopeRegion}/${scopeService}/aws4_request`;
const stringToSign = `AWS4-HMAC-SHA256\n${headers["x-amz-date"]}\n${scope}\n${createHash("sha256").update(canonicalRequest, "utf8").digest("hex")}`;
const expectedSignature = createHmac("sha256", kSigning).update(stringToSign, "utf8").digest("hex");
if (expectedSignature !== signature) fail(`signature mismatch: client ${signature}, recomputed ${expectedSignature}`);

// The URL as the client's Node handler puts it on the wire (same query builder).
const { buildQueryString } = requireFromClient("@smithy/core/protocols");
const qs = buildQueryString(captured.query);
const url = `${captured.protocol}//${captured.hostname}${captured.port ? `:${captured.port}` : ""}${captured.path}${qs ? `?${qs}` : ""}`;

const out = {
  method: captured.method,
  protocol: captured.protocol,
  hostname: captured.hostname,
  port: captured.port,
  path: captured.path,
  query: captured.query,
  headers,
  authorization,
  signedHeaders,
  signature,
  canonicalRequest,
  url,
  bodyBase64: Buffer.from(bodyBytes).toString("base64"),
};
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
