#!/usr/bin/env node
// Calls an OpenAI-compatible server (the AgentCore gateway) with the official `openai` npm client, as any user would.
//
// usage: node openai-chat.mjs <baseURL> <apiKey> <model> <prompt> <stream: true|false> [runtimeSessionId]
//   baseURL           e.g. http://127.0.0.1:4000/v1
//   runtimeSessionId  optional; sent in the body as LiteLLM's provider parameter, to continue an agent session
//
// stdout: one JSON object.
//   success, plain:    { ok: true, stream: false, id, object, model, text, finishReason, usage, sessionId, sessionHeader }
//   success, streamed: { ok: true, stream: true, text, deltas: [...], chunkCount, finishReasons: [...], usage,
//                        chunkObjects: [...distinct object fields], sessionId, sessionHeader, contentType }
//                      (stream_options.include_usage is set; the client stops at `data: [DONE]`)
//   failure:           { ok: false, errorClass, isAuthenticationError, isRateLimitError, status, type, code, message,
//                        deltas (streamed text received before the failure) }
// Exit code 0 in both cases; non-zero only when the script itself is misused.

import OpenAI from "openai";

const [baseURL, apiKey, model, prompt, streamFlag, runtimeSessionId] = process.argv.slice(2);
if (!baseURL || apiKey === undefined || !model || prompt === undefined || !["true", "false"].includes(streamFlag)) {
  process.stderr.write("usage: node openai-chat.mjs <baseURL> <apiKey> <model> <prompt> <true|false> [runtimeSessionId]\n");
  process.exit(2);
}

// No retries: the test sees exactly what the server answered, once.
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });
const stream = streamFlag === "true";
const body = { model, messages: [{ role: "user", content: prompt }] };
if (runtimeSessionId) body.runtimeSessionId = runtimeSessionId;

const deltas = [];
const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");

try {
  if (!stream) {
    const { data, response } = await client.chat.completions.create(body).withResponse();
    print({
      ok: true,
      stream: false,
      id: data.id,
      object: data.object,
      model: data.model,
      text: data.choices[0].message.content,
      role: data.choices[0].message.role,
      finishReason: data.choices[0].finish_reason,
      usage: data.usage ?? null,
      sessionId: data.agentcore_session_id ?? null,
      sessionHeader: response.headers.get("x-agentcore-session-id"),
    });
  } else {
    const { data: chunks, response } = await client.chat.completions
      .create({ ...body, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    const finishReasons = [];
    const objects = new Set();
    let chunkCount = 0;
    let usage = null;
    let sessionId = null;
    let role = null;
    for await (const chunk of chunks) {
      chunkCount++;
      objects.add(chunk.object);
      sessionId = chunk.agentcore_session_id ?? sessionId;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        if (choice.delta?.role) role = choice.delta.role;
        if (choice.delta?.content) deltas.push(choice.delta.content);
        if (choice.finish_reason) finishReasons.push(choice.finish_reason);
      }
    }
    print({
      ok: true,
      stream: true,
      text: deltas.join(""),
      deltas,
      role,
      chunkCount,
      finishReasons,
      usage,
      chunkObjects: [...objects],
      sessionId,
      sessionHeader: response.headers.get("x-agentcore-session-id"),
      contentType: response.headers.get("content-type"),
    });
  }
} catch (e) {
  print({
    ok: false,
    errorClass: e?.constructor?.name ?? typeof e,
    isAuthenticationError: e instanceof OpenAI.AuthenticationError,
    isRateLimitError: e instanceof OpenAI.RateLimitError,
    isApiError: e instanceof OpenAI.APIError,
    status: e?.status ?? null,
    type: e?.type ?? e?.error?.type ?? null,
    code: e?.code ?? e?.error?.code ?? null,
    message: String(e?.message ?? e),
    deltas,
  });
}
