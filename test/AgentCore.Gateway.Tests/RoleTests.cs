// Licensed under the Apache License, Version 2.0.

using System.Net;
using System.Text.Json;
using AgentCore.Extensions.AI.Testing;
using AgentCore.Gateway.Tests.Infrastructure;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCore.Gateway.Tests;

/// <summary>
/// <c>aws_role_name</c>: the gateway assumes the role with the entry's keys through AWSSDK.SecurityToken, and the role's
/// temporary credentials sign the calls. STS is a loopback stand-in reached the AWS SDK way (<c>AWS_ENDPOINT_URL_STS</c>).
/// </summary>
public sealed class RoleTests
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/agentcore-invoker";

    [Fact]
    public async Task RoleName_TheAssumedRolesTemporaryCredentialsSignTheCalls()
    {
        var temporary = new SessionAWSCredentials("ASIATEMPORARYROLEKEY", "temporary-secret-from-sts", "temporary-session-token-from-sts");
        var stsCalls = new List<string>();
        await using WebApplication sts = await StartStsAsync(stsCalls);
        await using var runtime = await LocalAgentRuntime.StartAsync(new LocalAgentRuntimeOptions
        {
            Agent = _ => AgentReply.JsonResult("answered with the role's credentials"),
            VerifySignaturesWith = temporary,
        });

        string? previous = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_STS");
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", Address(sts));
        try
        {
            await using InProcessGateway gateway = await InProcessGateway.StartAsync(Configs.Yaml(
                Configs.DataPlane("with-role", runtime, $"aws_role_name: {RoleArn}", "aws_session_name: gateway-role-test")));

            using HttpResponseMessage response = await gateway.ChatAsync(InProcessGateway.Body("with-role", "hi"));
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("answered with the role's credentials", body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", previous);
        }

        Assert.Equal([$"AssumeRole {RoleArn} gateway-role-test AKIDLOCALAGENTRUNTIME"], stsCalls);
        RecordedAgentRequest request = Assert.Single(runtime.Requests);
        Assert.True(request.SignatureValid);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIATEMPORARYROLEKEY/", request.Headers["Authorization"]);
        Assert.Equal("temporary-session-token-from-sts", request.Headers["X-Amz-Security-Token"]);
    }

    private static async Task<WebApplication> StartStsAsync(List<string> calls)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        app.MapPost("/", async (HttpContext context) =>
        {
            IFormCollection form = await context.Request.ReadFormAsync();
            string signer = context.Request.Headers.Authorization.ToString().Split("Credential=")[1].Split('/')[0];
            lock (calls)
            {
                calls.Add($"{form["Action"]} {form["RoleArn"]} {form["RoleSessionName"]} {signer}");
            }

            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync($"""
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleResult>
                    <Credentials>
                      <AccessKeyId>ASIATEMPORARYROLEKEY</AccessKeyId>
                      <SecretAccessKey>temporary-secret-from-sts</SecretAccessKey>
                      <SessionToken>temporary-session-token-from-sts</SessionToken>
                      <Expiration>{DateTime.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}</Expiration>
                    </Credentials>
                    <AssumedRoleUser>
                      <Arn>arn:aws:sts::123456789012:assumed-role/agentcore-invoker/gateway-role-test</Arn>
                      <AssumedRoleId>AROAEXAMPLE:gateway-role-test</AssumedRoleId>
                    </AssumedRoleUser>
                  </AssumeRoleResult>
                  <ResponseMetadata><RequestId>sts-request-1</RequestId></ResponseMetadata>
                </AssumeRoleResponse>
                """);
        });
        await app.StartAsync();
        return app;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
}
