#!/usr/bin/env node
// A real agent built on the official TypeScript agent SDK (npm `bedrock-agentcore`, its runtime app
// BedrockAgentCoreApp: Fastify + @fastify/sse), so the C# tests can check that our client decodes exactly
// what that SDK writes. Nothing here shapes the wire: every byte on /invocations is the SDK's own.
//
// Usage: node ts-agent.mjs [port]        (port 0 or none: an ephemeral port; always on 127.0.0.1)
//
// stdout: "LISTENING <port>" once /ping answers, then one JSON line per invocation:
//   {"type":"invocation","sessionId":"...","prompt":"...","contentType":"...","accept":"..."}
// The SDK's own (pino) logs go to stderr.
//
// The entrypoint reads {"prompt": "..."} and behaves by the prompt's prefix:
//   plain:<rest>       returns <rest> as a string (non-streamed)
//   json:<rest>        returns the object { answer: <rest>, n: 1 } (non-streamed)
//   stream:<rest>      async generator yielding <rest> word by word, each word with its following space kept
//   multiline:<rest>   async generator yielding one chunk "line one\nline two\n  indented" (then <rest> if any)
//   fail-before:<rest> throws Error(<rest>) before answering anything (the handler's promise rejects)
//   fail-gen:<rest>    returns an async generator that throws Error(<rest>) before its first yield
//   fail-mid:<rest>    async generator yielding "first " and "second " then throwing Error(<rest>)

import { BedrockAgentCoreApp } from "bedrock-agentcore/runtime";

const HOST = "127.0.0.1";
const requestedPort = Number(process.argv[2] ?? process.env.TS_AGENT_PORT ?? 0);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  console.error(`invalid port ${process.argv[2]}`);
  process.exit(2);
}

// BedrockAgentCoreApp.run() returns nothing and only logs the port it was asked for, so with port 0 the port the OS
// chose is read from Fastify's own "Server listening at http://127.0.0.1:<port>" log record (logging.options.stream
// is the SDK's documented way to send its logs somewhere). All log records are forwarded to stderr.
let resolveListening;
const listening = new Promise((resolve) => (resolveListening = resolve));
const logStream = {
  write(line) {
    process.stderr.write(line);
    try {
      const record = JSON.parse(line);
      const match = /^Server listening at https?:\/\/[^\s]*:(\d+)$/.exec(record.msg ?? "");
      if (match) resolveListening(Number(match[1]));
    } catch {
      // not JSON: nothing to learn from it
    }
  },
};

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function split(prompt) {
  const colon = prompt.indexOf(":");
  return colon < 0 ? [prompt, ""] : [prompt.slice(0, colon), prompt.slice(colon + 1)];
}

const app = new BedrockAgentCoreApp({
  invocationHandler: {
    process: async (request, context) => {
      const prompt = typeof request === "string" ? request : String(request?.prompt ?? "");
      process.stdout.write(
        JSON.stringify({
          type: "invocation",
          sessionId: context.sessionId,
          requestId: context.requestId,
          prompt,
        }) + "\n",
      );

      const [mode, rest] = split(prompt);
      switch (mode) {
        case "plain":
          return rest;

        case "json":
          return { answer: rest, n: 1 };

        case "stream":
          return (async function* () {
            // "a b c" -> "a ", "b ", "c": the spaces stay with the words, so joining the chunks gives back <rest>.
            const words = rest.match(/\S+\s*/g) ?? [];
            for (const word of words) {
              yield word;
              await delay(5); // separate writes, so they reach the client as separate reads too
            }
          })();

        case "multiline":
          return (async function* () {
            yield "line one\nline two\n  indented";
            if (rest) yield rest;
          })();

        case "fail-before":
          throw new Error(rest || "failed before answering");

        case "fail-gen":
          return (async function* () {
            await delay(1);
            throw new Error(rest || "generator failed before its first chunk");
          })();

        case "fail-mid":
          return (async function* () {
            yield "first ";
            await delay(5);
            yield "second ";
            await delay(5);
            throw new Error(rest || "failed mid-stream");
          })();

        default:
          return `unknown mode: ${prompt}`;
      }
    },
  },
  config: {
    logging: { options: { level: "info", stream: logStream } },
  },
});

app.run({ port: requestedPort, host: HOST });

// Ready means the SDK's own /ping answers on that port, not merely that the socket is bound.
const timeout = setTimeout(() => {
  console.error("the agent did not start listening within 20 s");
  process.exit(1);
}, 20000);
const port = requestedPort !== 0 ? requestedPort : await listening;
for (;;) {
  try {
    const response = await fetch(`http://${HOST}:${port}/ping`);
    if (response.ok) break;
  } catch {
    // not yet
  }
  await delay(20);
}
clearTimeout(timeout);
process.stdout.write(`LISTENING ${port}\n`);
process.on("SIGTERM", () => process.exit(0));
