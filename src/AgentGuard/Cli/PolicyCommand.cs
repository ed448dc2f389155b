using System.CommandLine;
using AgentGuard.Policy;

namespace AgentGuard.Cli;

/// <summary><c>agentguard policy check|test|explain</c>: validate policies, run their test cases, explain a decision.</summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var command = new Command("policy", "Validate policies, run their test cases, and explain how a call is decided.");
        command.Subcommands.Add(CreateCheck());
        command.Subcommands.Add(CreateTest());
        command.Subcommands.Add(PolicyExplainCommand.Create());
        return command;
    }

    private static Command CreateCheck()
    {
        var paths = new Argument<string[]>("paths") { Description = "Policy files or folders.", Arity = ArgumentArity.OneOrMore };
        var check = new Command("check", "Validate policies; print every error with file, line and reason.") { paths };
        check.SetAction(parse =>
        {
            var result = PolicyLoader.Load(parse.GetValue(paths)!);
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine(error);
            }

            if (result.Policy is not { } policy)
            {
                Console.Error.WriteLine($"{result.Errors.Count} error(s)");
                return 1;
            }

            Console.WriteLine($"ok: {policy.Files.Count} file(s), {policy.Assets.Length} assets, {policy.Tools.Count} tool mappings, {policy.Rules.Length} rules, version {policy.Version}");
            return 0;
        });
        return check;
    }

    private static Command CreateTest()
    {
        var paths = new Argument<string[]>("paths") { Description = "Folders (or files) holding policies and *.tests.yaml cases.", Arity = ArgumentArity.OneOrMore };
        var test = new Command("test", "Run policy test cases (*.tests.yaml): a call in, the expected decision and finding out.") { paths };
        test.SetAction(parse =>
        {
            var given = parse.GetValue(paths)!;
            var loaded = PolicyLoader.Load(given);
            if (loaded.Policy is not { } policy)
            {
                foreach (var error in loaded.Errors)
                {
                    Console.Error.WriteLine(error);
                }

                return 1;
            }

            var errors = new List<PolicyError>();
            var missing = new List<string>();
            var cases = PolicyTestRunner.ReadCases(PolicyFiles.Find(given, tests: true, missing), errors);
            foreach (var error in errors)
            {
                Console.Error.WriteLine(error);
            }

            var failures = PolicyTestRunner.Run(policy, cases, out var passed);
            foreach (var failure in failures)
            {
                Console.WriteLine("FAIL " + failure);
            }

            var failed = failures.Count + errors.Count;
            Console.WriteLine($"{passed} passed, {failed} failed");
            return failed == 0 && cases.Count > 0 ? 0 : 1;
        });
        return test;
    }
}
