using System.Diagnostics;
using System.Globalization;

namespace AgentGuard.Trials;

/// <summary>
/// Any agent program, started once per episode with <c>/bin/sh -c</c>: the command may name
/// <c>{mcp_url}</c>, <c>{prompt_file}</c>, <c>{system_prompt_file}</c>, <c>{episode}</c> and
/// <c>{seed}</c>, and the same are in its environment (<c>AGENTGUARD_MCP_URL</c>,
/// <c>AGENTGUARD_TASK_PROMPT</c>, <c>AGENTGUARD_SYSTEM_PROMPT</c>, <c>AGENTGUARD_TRIAL_EPISODE</c>,
/// <c>AGENTGUARD_TRIAL_SEED</c>). It ends with <c>end_task</c> (then it has a few seconds to exit),
/// its own exit, or the episode's timeout. Its output goes to <c>agent.log</c> in the episode's folder.
/// </summary>
public sealed class CommandAgent(string command) : IEpisodeAgent
{
    private const int MaxLogBytes = 1 << 20;
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(5);

    public string Description => command;

    public async Task<AgentExit> RunAsync(EpisodeContext context, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(context.Folder);
        var prompt = Path.Combine(context.Folder, "task-prompt.txt");
        var system = Path.Combine(context.Folder, "system-prompt.txt");
        await File.WriteAllTextAsync(prompt, context.Setup.TaskPrompt, CancellationToken.None);
        await File.WriteAllTextAsync(system, context.Setup.SystemPrompt, CancellationToken.None);
        var episode = context.Episode.ToString(CultureInfo.InvariantCulture);
        var seed = context.Seed.ToString(CultureInfo.InvariantCulture);
        var line = command
            .Replace("{mcp_url}", Quote(context.McpUrl.ToString()), StringComparison.Ordinal)
            .Replace("{prompt_file}", Quote(prompt), StringComparison.Ordinal)
            .Replace("{system_prompt_file}", Quote(system), StringComparison.Ordinal)
            .Replace("{episode}", episode, StringComparison.Ordinal)
            .Replace("{seed}", seed, StringComparison.Ordinal);
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", line },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = context.Folder,
            Environment =
            {
                ["AGENTGUARD_MCP_URL"] = context.McpUrl.ToString(),
                ["AGENTGUARD_TASK_PROMPT"] = context.Setup.TaskPrompt,
                ["AGENTGUARD_SYSTEM_PROMPT"] = context.Setup.SystemPrompt,
                ["AGENTGUARD_TRIAL_EPISODE"] = episode,
                ["AGENTGUARD_TRIAL_SEED"] = seed,
            },
        };

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the agent command did not start");
        await using var log = new FileStream(Path.Combine(context.Folder, "agent.log"), FileMode.Create, FileAccess.Write, FileShare.Read);
        var output = Copy(process.StandardOutput, log);
        var errors = Copy(process.StandardError, log);
        try
        {
            while (!process.HasExited && !context.TaskEnded())
            {
                await Task.Delay(50, cancellationToken);
            }

            if (!process.HasExited)
            {
                // The task is ended: the program may still be saying goodbye.
                using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                grace.CancelAfter(ExitGrace);
                try
                {
                    await process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    process.Kill(entireProcessTree: true);
                    return new AgentExit(false, "end_task called; the program did not exit and was stopped");
                }
            }
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            await Task.WhenAll(output, errors).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var code = process.ExitCode;
        return code == 0 || context.TaskEnded()
            ? new AgentExit(false, $"exit {code}")
            : new AgentExit(true, $"exit {code}");
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task Copy(StreamReader from, FileStream to)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(buffer, 0, read);
            lock (to)
            {
                if (to.Length < MaxLogBytes)
                {
                    to.Write(bytes);
                }
            }
        }
    }
}
