using Microsoft.Extensions.Logging;

namespace AgentGuard.Policy;

/// <summary>
/// Holds the policy in force and reloads it when its files change. A reload compiles the new
/// version completely before an atomic swap; a version with any error is rejected and the last
/// good one stays in force.
/// </summary>
public sealed partial class PolicyStore : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);

    private readonly IReadOnlyList<string> _paths;
    private readonly IReadOnlyList<string> _guardFiles;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _reloadLock = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private ITimer? _debounceTimer;
    private PolicySet _current;

    private PolicyStore(PolicySet initial, IReadOnlyList<string> paths, IReadOnlyList<string> guardFiles, ILogger logger, TimeProvider timeProvider)
    {
        _current = initial;
        _paths = paths;
        _guardFiles = guardFiles;
        _logger = logger;
        _timeProvider = timeProvider;
        LastResult = new PolicyLoadResult(initial, []);
    }

    /// <summary>The policy in force.</summary>
    public PolicySet Current => Volatile.Read(ref _current);

    /// <summary>The outcome of the latest load or reload (its errors, when it was rejected).</summary>
    public PolicyLoadResult LastResult { get; private set; }

    /// <summary>Raised after every reload attempt, with its outcome.</summary>
    public event Action<PolicyLoadResult>? Reloaded;

    /// <summary>Loads the policy; returns the errors instead of a store when the first version does not load.</summary>
    public static PolicyStore? Open(
        IReadOnlyList<string> paths, IReadOnlyList<string> guardFiles, ILogger logger, TimeProvider timeProvider, out IReadOnlyList<PolicyError> errors)
    {
        var result = PolicyLoader.Load(paths, guardFiles);
        errors = result.Errors;
        if (result.Policy is null)
        {
            return null;
        }

        var store = new PolicyStore(result.Policy, paths, guardFiles, logger, timeProvider);
        LogLoaded(logger, result.Policy.Version, result.Policy.Files.Count, result.Policy.Rules.Length);
        return store;
    }

    /// <summary>Reloads from disk now.</summary>
    public PolicyLoadResult Reload()
    {
        lock (_reloadLock)
        {
            var result = PolicyLoader.Load(_paths, _guardFiles);
            LastResult = result;
            if (result.Policy is { } policy)
            {
                var previous = Interlocked.Exchange(ref _current, policy);
                if (previous.Version != policy.Version)
                {
                    LogReloaded(_logger, previous.Version, policy.Version);
                }
            }
            else
            {
                foreach (var error in result.Errors)
                {
                    LogReloadRejected(_logger, Current.Version, error.ToString());
                }
            }

            Reloaded?.Invoke(result);
            return result;
        }
    }

    /// <summary>Starts watching the policy files and folders; changes reload after a short quiet period.</summary>
    public void Watch()
    {
        foreach (var path in _paths)
        {
            var full = Path.GetFullPath(path);
            var folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full);
            if (folder is null || !Directory.Exists(folder))
            {
                continue;
            }

            // Watch the whole folder: editors and Kubernetes ConfigMaps replace files by rename or symlink swap.
            var watcher = new FileSystemWatcher(folder)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Changed += OnChanged;
            watcher.Created += OnChanged;
            watcher.Deleted += OnChanged;
            watcher.Renamed += OnChanged;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _debounceTimer?.Dispose();
    }

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        lock (_reloadLock)
        {
            _debounceTimer ??= _timeProvider.CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _debounceTimer.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    [LoggerMessage(2001, LogLevel.Information, "Policy {Version} loaded: {FileCount} files, {RuleCount} rules")]
    private static partial void LogLoaded(ILogger logger, string version, int fileCount, int ruleCount);

    [LoggerMessage(2002, LogLevel.Information, "Policy reloaded: {PreviousVersion} -> {Version}")]
    private static partial void LogReloaded(ILogger logger, string previousVersion, string version);

    [LoggerMessage(2003, LogLevel.Error, "Policy reload rejected; version {Version} stays in force: {Error}")]
    private static partial void LogReloadRejected(ILogger logger, string version, string error);
}
