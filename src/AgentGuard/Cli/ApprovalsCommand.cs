using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AgentGuard.Cli;

/// <summary>
/// <c>agentguard approvals list|approve ID|deny ID</c>: a reviewer's side of held calls, through the
/// admin plane's <c>/api/approvals</c>. Approve and deny look the call's hash up in the list and send
/// it, so the vote is bound to the call the reviewer was shown. Exit codes: 0 done, 1 the guard
/// refused (not pending, hash mismatch, same reviewer, no authority), 2 bad usage, 3 the admin plane
/// could not be reached.
/// </summary>
internal static class ApprovalsCommand
{
    /// <summary>The environment variable a reviewer's token is read from when <c>--token</c> is not given.</summary>
    public const string TokenVariable = "AGENTGUARD_REVIEWER_TOKEN";

    private const int Refused = 1;
    private const int Usage = 2;
    private const int Unreachable = 3;

    public static Command Create()
    {
        var command = new Command("approvals", "List held calls and approve or deny them as a named reviewer (token from --token or " + TokenVariable + ").");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateVote("approve", "Approve a held call: it is forwarded once its rule's number of distinct reviewers approved.", approve: true));
        command.Subcommands.Add(CreateVote("deny", "Deny a held call: the agent gets the usual permission denied.", approve: false));
        return command;
    }

    private static Command CreateList()
    {
        var connection = new Connection();
        var json = new Option<bool>("--json") { Description = "Print the admin API's JSON." };
        var list = new Command("list", "List the held calls waiting for reviewers, oldest first.") { json };
        connection.AddTo(list);
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var client = connection.Client(parse, requireToken: false, out var error);
            if (client is null)
            {
                Console.Error.WriteLine(error);
                return Usage;
            }

            var (code, body) = await SendAsync(client, HttpMethod.Get, "api/approvals", null, cancellationToken);
            if (code != 0)
            {
                return code;
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(body!.RootElement.GetRawText());
                return 0;
            }

            var approvals = body!.RootElement.GetProperty("approvals");
            if (approvals.GetArrayLength() == 0)
            {
                Console.WriteLine("no held calls");
                return 0;
            }

            foreach (var held in approvals.EnumerateArray())
            {
                Console.WriteLine(string.Format(
                    CultureInfo.InvariantCulture,
                    "{0}  {1} {2} by {3} (session {4}), rule {5}{6}, approvals {7}/{8}, until {9:HH:mm:ss}Z",
                    held.GetProperty("id").GetString(),
                    held.GetProperty("tool").GetString(),
                    held.GetProperty("arguments").GetString(),
                    held.GetProperty("agent").GetString(),
                    held.GetProperty("session").GetString(),
                    held.GetProperty("rule").GetString(),
                    held.GetProperty("finding").GetString() is { } finding ? $" ({finding})" : string.Empty,
                    held.GetProperty("approved_by").GetArrayLength(),
                    held.GetProperty("reviewers_required").GetInt32(),
                    held.GetProperty("deadline").GetDateTimeOffset().UtcDateTime));
                if (held.GetProperty("message").GetString() is { Length: > 0 } message)
                {
                    Console.WriteLine("    " + message);
                }
            }

            return 0;
        });
        return list;
    }

    private static Command CreateVote(string name, string description, bool approve)
    {
        var connection = new Connection();
        var id = new Argument<string>("id") { Description = "The held call's id (its audit reference), as 'approvals list' shows it." };
        var reason = new Option<string?>("--reason") { Description = "A note for the audit record." };
        var vote = new Command(name, description) { id, reason };
        connection.AddTo(vote);
        vote.SetAction(async (parse, cancellationToken) =>
        {
            using var client = connection.Client(parse, requireToken: true, out var error);
            if (client is null)
            {
                Console.Error.WriteLine(error);
                return Usage;
            }

            var holdId = parse.GetValue(id)!;
            var (code, list) = await SendAsync(client, HttpMethod.Get, "api/approvals", null, cancellationToken);
            if (code != 0)
            {
                return code;
            }

            string? hash = null;
            foreach (var held in list!.RootElement.GetProperty("approvals").EnumerateArray())
            {
                if (held.GetProperty("id").GetString() == holdId)
                {
                    hash = held.GetProperty("call_hash").GetString();
                    Console.WriteLine($"{name} {holdId}: {held.GetProperty("tool").GetString()} {held.GetProperty("arguments").GetString()} by {held.GetProperty("agent").GetString()}");
                }
            }

            if (hash is null)
            {
                Console.Error.WriteLine($"error: held call '{holdId}' is not pending (never held, or already decided); 'agentguard approvals list' shows the calls waiting");
                return Refused;
            }

            var body = JsonSerializer.Serialize(new Dictionary<string, string?>
            {
                ["decision"] = approve ? "approve" : "deny",
                ["call_hash"] = hash,
                ["reason"] = parse.GetValue(reason),
            });
            (code, var answer) = await SendAsync(client, HttpMethod.Post, "api/approvals/" + Uri.EscapeDataString(holdId), body, cancellationToken);
            if (code != 0)
            {
                return code;
            }

            var result = answer!.RootElement.GetProperty("result").GetString();
            Console.WriteLine(result switch
            {
                "counted" => $"approval counted for {holdId}; it waits for another reviewer",
                "approved" => $"approved {holdId}: the call is forwarded",
                _ => $"denied {holdId}",
            });
            return 0;
        });
        return vote;
    }

    /// <summary>Sends a request; returns 0 and the JSON answer, or the exit code after printing the guard's error.</summary>
    private static async Task<(int Code, JsonDocument? Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            Console.Error.WriteLine($"error: cannot reach the admin plane at {client.BaseAddress}: {ex.Message}; give its URL with --admin");
            return (Unreachable, null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"error: the admin plane at {client.BaseAddress} did not answer in time");
            return (Unreachable, null);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonDocument? body = null;
            try
            {
                body = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
            }

            if (response.IsSuccessStatusCode && body is not null)
            {
                return (0, body);
            }

            var message = body is not null && body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("error", out var error)
                ? error.GetString()
                : text.Length > 0 ? text : response.ReasonPhrase;
            body?.Dispose();
            Console.Error.WriteLine($"error: {(int)response.StatusCode}: {message}");
            return ((int)response.StatusCode >= 500 ? Unreachable : Refused, null);
        }
    }

    /// <summary>The options every subcommand shares: where the admin plane is and the reviewer's token.</summary>
    private sealed class Connection
    {
        public readonly Option<string> Admin = new("--admin") { Description = "The admin plane's URL.", DefaultValueFactory = _ => "http://127.0.0.1:9091" };
        public readonly Option<string?> Token = new("--token") { Description = "Your reviewer token (default: the " + TokenVariable + " environment variable)." };

        public void AddTo(Command command)
        {
            command.Options.Add(Admin);
            command.Options.Add(Token);
        }

        public HttpClient? Client(ParseResult parse, bool requireToken, out string? error)
        {
            error = null;
            var admin = parse.GetValue(Admin)!;
            if (!Uri.TryCreate(admin.EndsWith('/') ? admin : admin + "/", UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
            {
                error = $"error: --admin is '{admin}'; give the admin plane's http or https URL, e.g. http://127.0.0.1:9091";
                return null;
            }

            var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable(TokenVariable);
            if (string.IsNullOrWhiteSpace(token) && requireToken)
            {
                error = $"error: a vote needs your reviewer token: --token TOKEN or the {TokenVariable} environment variable";
                return null;
            }

            var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
            if (!string.IsNullOrWhiteSpace(token))
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
            }

            return client;
        }
    }
}
