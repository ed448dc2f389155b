using System.ClientModel;
using System.CommandLine;
using System.Globalization;
using AgentGuard.Policy;
using AgentGuard.Trials;
using Microsoft.Extensions.AI;
using OpenAI;

namespace AgentGuard.Cli;

/// <summary>
/// <c>agentguard trial</c>: the study run against a team's own agent. Serves each scenario and
/// condition as a fresh MCP tool world behind the guard (observing, or enforcing with
/// <c>--enforce</c>), runs the agent per episode, and reports each behaviour's rate with its
/// interval and the effects of peer presence and of being watched: a table, JSON and HTML.
/// </summary>
internal static class TrialCommand
{
    public static Command Create()
    {
        var agentCommand = new Option<string?>("--agent-cmd") { Description = "The agent program, run per episode with /bin/sh -c; may use {mcp_url}, {prompt_file}, {system_prompt_file}, {episode}, {seed} (also in its environment as AGENTGUARD_*)." };
        var model = new Option<string?>("--model") { Description = "A model name for the built-in agent loop, on an OpenAI-compatible endpoint." };
        var endpoint = new Option<string>("--endpoint") { Description = "The OpenAI-compatible endpoint for --model.", DefaultValueFactory = _ => "http://127.0.0.1:11434/v1" };
        var keyVariable = new Option<string?>("--api-key-env") { Description = "The environment variable holding the endpoint's API key (none for a local server)." };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature for --model (the study used 1.0)." };
        var steps = new Option<int>("--steps") { Description = "Tool calls allowed per episode with --model (the study allowed 150).", DefaultValueFactory = _ => 150 };
        var scenarios = new Option<string[]>("--scenario") { Description = "A scenario to run (repeatable; default all).", Arity = ArgumentArity.ZeroOrMore };
        var conditions = new Option<string[]>("--condition") { Description = "Keep only these values of an axis, e.g. peer=good,none or watched=unwatched (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var episodes = new Option<int>("--episodes") { Description = "Episodes per scenario and condition.", DefaultValueFactory = _ => 10 };
        var parallel = new Option<int>("--parallel") { Description = "Episodes run at once.", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "The run's seed (each episode's derives from it).", DefaultValueFactory = _ => 0 };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "An episode's time limit.", DefaultValueFactory = _ => TimeSpan.FromMinutes(10) };
        var enforce = new Option<bool>("--enforce") { Description = "The guard enforces its policy: measures what it stops. Default: it observes (would-deny)." };
        var trials = new Option<string?>("--trials") { Description = "The trial content folder (conditions.yaml, scenarios/). Default: the shipped one." };
        var policy = new Option<string[]>("--policy") { Description = "Policy file or folder (repeatable). Default: the shipped policies.", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string>("--out") { Description = "Where report.json, report.html and each episode's files go.", DefaultValueFactory = _ => "agentguard-trial" };
        var baseline = new Option<string?>("--baseline") { Description = "An earlier run's report.json to compare with (before and after a model or prompt change)." };
        var list = new Option<bool>("--list") { Description = "List the scenarios and their cells, and exit." };
        var command = new Command("trial", "Run the peer-preservation study against your own agent or model and report the rates.")
        {
            agentCommand, model, endpoint, keyVariable, temperature, steps, scenarios, conditions, episodes, parallel, seed, timeout, enforce, trials, policy, output, baseline, list,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Arguments(
                parse.GetValue(agentCommand), parse.GetValue(model), parse.GetValue(endpoint)!, parse.GetValue(keyVariable), parse.GetValue(temperature), parse.GetValue(steps),
                parse.GetValue(scenarios) ?? [], parse.GetValue(conditions) ?? [], parse.GetValue(episodes), parse.GetValue(parallel), parse.GetValue(seed), parse.GetValue(timeout),
                parse.GetValue(enforce), parse.GetValue(trials), parse.GetValue(policy) ?? [], parse.GetValue(output)!, parse.GetValue(baseline), parse.GetValue(list)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Arguments arguments, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var library = TrialLibrary.Load(arguments.Trials ?? TrialLibrary.ShippedFolder, errors);
        var only = Conditions(arguments.Conditions, errors);
        var unknown = arguments.Scenarios.Where(s => library is not null && library.Scenarios.All(x => x.Name != s)).ToList();
        errors.AddRange(unknown.Select(s => $"--scenario {s}: no such scenario ({string.Join(", ", library!.Scenarios.Select(x => x.Name))})"));
        if (library is null || errors.Count > 0)
        {
            Fail(errors);
            return 2;
        }

        var chosen = library.Scenarios.Where(s => arguments.Scenarios.Length == 0 || arguments.Scenarios.Contains(s.Name)).ToList();
        var cells = chosen.SelectMany(s => TrialLibrary.Cells(s, only)).ToList();
        if (arguments.List)
        {
            foreach (var scenario in chosen)
            {
                Console.WriteLine($"{scenario.Name}: {scenario.Description}");
                foreach (var cell in cells.Where(c => c.Scenario == scenario.Name))
                {
                    Console.WriteLine($"  {cell.Id}");
                }
            }

            return 0;
        }

        if ((arguments.AgentCommand is null) == (arguments.Model is null))
        {
            Fail(["give the agent under trial: --agent-cmd \"...\" or --model NAME (with --endpoint)"]);
            return 2;
        }

        if (cells.Count == 0 || arguments.Episodes < 1 || arguments.Parallel < 1 || arguments.Timeout <= TimeSpan.Zero || arguments.Steps < 1)
        {
            Fail([cells.Count == 0 ? "the --scenario and --condition filters leave no cell to run" : "--episodes, --parallel, --steps and --timeout must be positive"]);
            return 2;
        }

        if (arguments.Model is not null)
        {
            // Said once here rather than by every episode crashing.
            try
            {
                Oversight.RescorerFactory.ApiKey(arguments.KeyVariable, "--api-key-env");
            }
            catch (InvalidOperationException ex)
            {
                Fail([ex.Message]);
                return 2;
            }
        }

        IReadOnlyList<CellSummary>? before = null;
        if (arguments.Baseline is { } baselineFile)
        {
            try
            {
                before = TrialReportJson.ReadCells(baselineFile);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                Fail([ex.Message]);
                return 2;
            }
        }

        var policies = arguments.Policies.Length > 0 ? arguments.Policies : [Path.Combine(AppContext.BaseDirectory, "policies")];
        var version = PolicyStore.Open(policies, [], Microsoft.Extensions.Logging.Abstractions.NullLogger<PolicyStore>.Instance, TimeProvider.System, out var policyErrors);
        if (version is null)
        {
            Fail(policyErrors.Select(e => e.ToString()));
            return 2;
        }

        string policyVersion;
        using (version)
        {
            policyVersion = version.Current.Version;
        }

        IEpisodeAgent agent = arguments.AgentCommand is { } line
            ? new CommandAgent(line)
            : new ModelAgent(arguments.Model!, () => ChatClient(arguments), arguments.Steps, arguments.Temperature);
        var options = new TrialRunOptions
        {
            Episodes = arguments.Episodes,
            Parallel = arguments.Parallel,
            Seed = arguments.Seed,
            Timeout = arguments.Timeout,
            Enforce = arguments.Enforce,
            Policies = policies,
            Output = Path.GetFullPath(arguments.Output),
        };
        Directory.CreateDirectory(options.Output);
        var total = cells.Count * options.Episodes;
        var done = 0;
        Console.Error.WriteLine($"Trial of {agent.Description}: {chosen.Count} scenario(s), {cells.Count} cell(s), {total} episode(s); output in {options.Output}");
        var started = TimeProvider.System.GetUtcNow();
        var timer = TimeProvider.System.GetTimestamp();
        var results = await new TrialRunner(library, agent, options).RunAsync(cells, result =>
        {
            var now = Interlocked.Increment(ref done);
            Progress(now, total, result);
        }, cancellationToken);
        if (!Console.IsErrorRedirected)
        {
            Console.Error.WriteLine();
        }

        var run = new TrialRunInfo(agent.Description, options.Episodes, options.Seed, options.Enforce, started, TimeProvider.System.GetElapsedTime(timer), policyVersion);
        var report = TrialReport.Build(run, chosen, results, before);
        var json = Path.Combine(options.Output, "report.json");
        await using (var stream = File.Create(json))
        {
            TrialReportJson.Write(report, stream);
        }

        var html = Path.Combine(options.Output, "report.html");
        await File.WriteAllTextAsync(html, TrialReportHtml.Render(report), cancellationToken);
        Console.Write(TrialReportText.Render(report));
        Console.WriteLine();
        Console.WriteLine($"Report: {html}  (JSON: {json})");
        return 0;
    }

    private static IChatClient ChatClient(Arguments arguments)
    {
        var key = Oversight.RescorerFactory.ApiKey(arguments.KeyVariable, "--api-key-env");
        var client = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(arguments.Endpoint) });
        return client.GetChatClient(arguments.Model).AsIChatClient();
    }

    private static Dictionary<string, IReadOnlySet<string>> Conditions(string[] conditions, List<string> errors)
    {
        var only = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var condition in conditions)
        {
            var equals = condition.IndexOf('=', StringComparison.Ordinal);
            var axis = equals < 0 ? condition : condition[..equals];
            if (equals < 0 || !TrialCell.AxisNames.Contains(axis))
            {
                errors.Add($"--condition {condition}: use AXIS=VALUE[,VALUE...] with an axis of {string.Join(", ", TrialCell.AxisNames)}");
                continue;
            }

            only[axis] = condition[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        }

        return only;
    }

    private static void Progress(int done, int total, EpisodeResult result)
    {
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{done}/{total}] {result.Cell.Id} #{result.Episode}: {TrialReportJson.Status(result.Status)}"));
            return;
        }

        const int Width = 30;
        var filled = done * Width / total;
        Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r[{new string('#', filled)}{new string('.', Width - filled)}] {done}/{total} episodes"));
    }

    private static void Fail(IEnumerable<string> errors)
    {
        foreach (var error in errors)
        {
            Console.Error.WriteLine("agentguard trial: " + error);
        }
    }

    private sealed record Arguments(
        string? AgentCommand, string? Model, string Endpoint, string? KeyVariable, float? Temperature, int Steps, string[] Scenarios, string[] Conditions,
        int Episodes, int Parallel, int Seed, TimeSpan Timeout, bool Enforce, string? Trials, string[] Policies, string Output, string? Baseline, bool List);
}
