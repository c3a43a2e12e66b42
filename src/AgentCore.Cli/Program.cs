// Licensed under the Apache License, Version 2.0.

using AgentCore.Cli;

return await CliApp.RunAsync(args, CliHost.FromConsole()).ConfigureAwait(false);
