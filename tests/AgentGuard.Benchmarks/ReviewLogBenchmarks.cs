using AgentGuard.Admin;
using AgentGuard.Audit;
using AgentGuard.Policy;
using AgentGuard.Protocols;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentGuard.Benchmarks;

/// <summary>
/// The review page's decisions table over a log of 200,000 records written by the real audit log
/// (transfer denials, shutdown-config denials and allowed listings, in sessions of 50 calls):
/// one page of 50 through the review index (<see cref="ReviewLog"/>), newest first and deep in the
/// log, filtered and not, against the reader the JSON API uses (<see cref="AuditReader.Query"/>,
/// which parses the log up to the page asked for), and the index's one-time build.
/// </summary>
/// <remarks>
/// In process: the generated project would rebuild the guard's web project, past BenchmarkDotNet's
/// two-minute build timeout on a 2-core machine. Otherwise <see cref="BenchmarkConfig"/>'s short job.
/// </remarks>
[Config(typeof(InProcessConfig))]
public class ReviewLogBenchmarks
{
    private const int Records = 200_000;
    private const int PageSize = 50;

    private static readonly ReviewFilter None = new();
    private static readonly ReviewFilter ShutdownTampering = new() { Finding = "shutdown-tampering", Decision = "deny" };
    private static readonly ReviewFilter OneSession = new() { Session = "session-3999" };
    private static readonly ReviewFilter NoMatch = new() { Agent = "nobody" };

    private string _directory = null!;
    private ReviewLog _index = null!;

    /// <summary><see cref="BenchmarkConfig"/>'s job, run in the benchmark's own process.</summary>
    public sealed class InProcessConfig : BenchmarkDotNet.Configs.ManualConfig
    {
        public InProcessConfig()
        {
            var shared = new BenchmarkConfig();
            foreach (var job in shared.GetJobs())
            {
                AddJob(BenchmarkDotNet.Jobs.JobExtensions.WithToolchain(job, BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance));
            }

            AddDiagnoser([.. shared.GetDiagnosers()]);
            AddColumnProvider([.. shared.GetColumnProviders()]);
            WithSummaryStyle(shared.SummaryStyle);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("agentguard-review-bench-").FullName;
        var policy = PolicyFixture.Load();
        var calls = new[]
        {
            ("transfer_server_files", McpBodies.TransferServerFilesArguments),
            ("modify_var", """{"key":"shutdown_enabled","value":"false"}"""),
            ("list_server_files", """{"ip":"10.0.12.45"}"""),
            ("list_server_files", """{"ip":"10.0.12.46"}"""),
        };
        var log = AuditLog.Open(new AuditOptions { Directory = _directory, Durability = AuditDurability.Flush }, NullLogger.Instance, TimeProvider.System);
        try
        {
            var batch = new DecisionRecord[1000];
            for (var written = 0; written < Records; written += batch.Length)
            {
                for (var i = 0; i < batch.Length; i++)
                {
                    var n = written + i;
                    var (tool, arguments) = calls[n % calls.Length];
                    using var exchange = McpDecoder.Decode(McpBodies.ToolsCall(tool, arguments));
                    var message = exchange.Messages[0];
                    var call = new ToolCall(PolicyFixture.Agent, "session-" + (n / 50), "mcp", message.Method, message.Name, message.Arguments.Clone());
                    batch[i] = new DecisionRecord(DateTimeOffset.UnixEpoch.AddSeconds(n), call, PolicyEngine.Decide(policy, call), n.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), policy.Version);
                }

                log.AppendAsync(batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _index = new ReviewLog(_directory);
        _index.Refresh();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>The first view after a start: every record read and indexed.</summary>
    [Benchmark]
    public int BuildIndex()
    {
        var index = new ReviewLog(_directory);
        index.Refresh();
        return index.Count;
    }

    /// <summary>A later view: nothing new to read, the newest 50.</summary>
    [Benchmark]
    public int NewestPage()
    {
        _index.Refresh();
        return _index.Page(None, null, null, PageSize).Count;
    }

    [Benchmark]
    public int NewestPage_ShutdownTampering() => _index.Page(ShutdownTampering, null, null, PageSize).Count;

    /// <summary>A page near the start of the log (the 'older' link followed to the end).</summary>
    [Benchmark]
    public int DeepPage_ShutdownTampering() => _index.Page(ShutdownTampering, 2_000, null, PageSize).Count;

    [Benchmark]
    public int OneSession_AllItsRecords() => _index.Page(OneSession, null, null, PageSize).Count;

    /// <summary>The worst case: a filter nothing matches walks the whole index.</summary>
    [Benchmark]
    public int NoMatch_WholeIndex() => _index.Page(NoMatch, null, null, PageSize).Count;

    /// <summary>What /api/audit does for the newest 50 shutdown-tampering denials: its offset paging is oldest first, so it parses the whole log.</summary>
    [Benchmark]
    public int AuditReader_NewestPage_ShutdownTampering()
        => AuditReader.Query(_directory, new AuditQuery { Finding = "shutdown-tampering", Decision = "deny" }, skip: (Records / 4) - PageSize, take: PageSize).Count;

    /// <summary>What /api/audit does for the newest page: its offset paging is oldest first, so the newest page is the whole log.</summary>
    [Benchmark]
    public int AuditReader_NewestPage()
        => AuditReader.Query(_directory, new AuditQuery(), skip: Records - PageSize, take: PageSize).Count;
}
