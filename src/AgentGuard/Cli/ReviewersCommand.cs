using System.CommandLine;
using System.Security.Cryptography;
using AgentGuard.Admin;

namespace AgentGuard.Cli;

/// <summary><c>agentguard reviewers hash|new</c>: the entries of the reviewers file (AgentGuard:Reviewers:File).</summary>
internal static class ReviewersCommand
{
    /// <summary>The shortest token <c>hash</c> accepts: as long as the admin token's minimum.</summary>
    public const int MinTokenLength = Proxy.GuardOptions.MinAdminApiTokenLength;

    public static Command Create()
    {
        var command = new Command("reviewers", "Make entries for the reviewers file: each reviewer's name and the SHA-256 of their own token.");
        command.Subcommands.Add(CreateHash());
        command.Subcommands.Add(CreateNew());
        return command;
    }

    private static Command CreateHash()
    {
        var token = new Argument<string>("token") { Description = "The reviewer's token; '-' reads it from standard input (keeps it out of the shell's history)." };
        var hash = new Command("hash", "Print the SHA-256 of a token, as the reviewers file's token_sha256 holds it.") { token };
        hash.SetAction(parse =>
        {
            var value = parse.GetValue(token)!;
            if (value == "-")
            {
                value = Console.In.ReadLine() ?? string.Empty;
            }

            value = value.Trim();
            if (value.Length < MinTokenLength)
            {
                Console.Error.WriteLine($"the token is {value.Length} characters; use at least {MinTokenLength} (agentguard reviewers new NAME makes one)");
                return 2;
            }

            Console.WriteLine(ReviewerDirectory.Hash(value));
            return 0;
        });
        return hash;
    }

    private static Command CreateNew()
    {
        var name = new Argument<string>("name") { Description = "The reviewer's name, as votes and the audit log will show it." };
        var create = new Command("new", "Make a random token for a reviewer: prints the token (give it to them only) and the reviewers file entry.") { name };
        create.SetAction(parse =>
        {
            var reviewer = parse.GetValue(name)!.Trim();
            if (reviewer.Length == 0)
            {
                Console.Error.WriteLine("give the reviewer's name");
                return 2;
            }

            var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            Console.WriteLine($"token (give it to {reviewer} only; it is not stored): {token}");
            Console.WriteLine("reviewers file entry:");
            Console.WriteLine($"  - name: {YamlScalar(reviewer)}");
            Console.WriteLine($"    token_sha256: {ReviewerDirectory.Hash(token)}");
            return 0;
        });
        return create;
    }

    private static string YamlScalar(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
