// Licensed under the Apache License, Version 2.0.

using System;
using System.IO;
using Spectre.Console;

namespace AgentCore.Cli;

/// <summary>Where the CLI reads and writes, and what environment it sees: the real console, or a test's stand-ins.</summary>
/// <param name="Out">Standard output: answers (or JSON), nothing else.</param>
/// <param name="Error">Standard error: notices, spinner, summary, errors.</param>
/// <param name="In">Standard input: the REPL's prompts.</param>
/// <param name="GetEnvironmentVariable">Reads an environment variable.</param>
/// <param name="IsInteractive">Whether a person is at a terminal (spinner and REPL prompt are shown only then).</param>
internal sealed record CliHost(TextWriter Out, TextWriter Error, TextReader In, Func<string, string?> GetEnvironmentVariable, bool IsInteractive)
{
    /// <summary>Gets a Spectre console over <see cref="Error"/>, for markup, the spinner and the summary.</summary>
    public IAnsiConsole ErrorConsole { get; } = CreateConsole(Error, IsInteractive);

    private static IAnsiConsole CreateConsole(TextWriter writer, bool interactive)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });

        // Piped or captured output is read by programs: one notice per line, never wrapped at 80 columns.
        if (!interactive)
        {
            console.Profile.Width = int.MaxValue;
        }

        return console;
    }

    public static CliHost FromConsole() =>
        new(Console.Out, Console.Error, Console.In, Environment.GetEnvironmentVariable, !Console.IsErrorRedirected && !Console.IsInputRedirected);
}
