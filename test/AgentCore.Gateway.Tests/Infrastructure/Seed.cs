// Licensed under the Apache License, Version 2.0.

namespace AgentCore.Gateway.Tests.Infrastructure;

/// <summary>
/// What LiteLLM's Bedrock AgentCore page (the seed) shows, character for character: its proxy config.yaml and its two curl
/// requests. Only the YAML's indentation is restored (the page's copy lost it).
/// </summary>
internal static class Seed
{
    public const string Arn1 = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my-agent-runtime";

    public const string Arn2 = "arn:aws:bedrock-agentcore:us-east-1:987654321098:runtime/production-runtime";

    public const string ConfigYaml = """
        model_list:
          - model_name: agentcore-runtime-1
            litellm_params:
              model: bedrock/agentcore/arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my-agent-runtime
              aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
              aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
              aws_region_name: us-west-2

          - model_name: agentcore-runtime-2
            litellm_params:
              model: bedrock/agentcore/arn:aws:bedrock-agentcore:us-east-1:987654321098:runtime/production-runtime
              aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
              aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
              aws_region_name: us-east-1
        """;

    /// <summary>"Basic AgentCore Request", as printed (including the space after <c>"user",</c>).</summary>
    public const string BasicCurl = """
        curl http://localhost:4000/v1/chat/completions \
          -H "Content-Type: application/json" \
          -H "Authorization: Bearer $LITELLM_API_KEY" \
          -d '{
            "model": "agentcore-runtime-1",
            "messages": [
              {
                "role": "user", 
                "content": "Summarize the main benefits of cloud computing"
              }
            ]
          }'
        """;

    /// <summary>"Streaming AgentCore Request", as printed.</summary>
    public const string StreamingCurl = """
        curl http://localhost:4000/v1/chat/completions \
          -H "Content-Type: application/json" \
          -H "Authorization: Bearer $LITELLM_API_KEY" \
          -d '{
            "model": "agentcore-runtime-2",
            "messages": [
              {
                "role": "user",
                "content": "Explain the differences between SQL and NoSQL databases"
              }
            ],
            "stream": true
          }'
        """;
}
