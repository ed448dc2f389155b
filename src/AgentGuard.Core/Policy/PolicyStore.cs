using Microsoft.Extensions.Logging;

namespace AgentGuard.Policy;

/// <summary>
/// Holds the policy in force and reloads it when its files change. A reload compiles the new
/// version completely before an atomic swap; a version with any error is rejected and the last
/// good one stays in force.
/// </summary>
/// <remarks>
/// Reloads follow the paths, not the folders first opened: the watchers are made again on every
/// reload, a watcher on each folder's parent sees the folder removed, re-created or swapped for
/// another by a symlink rename (a Kubernetes ConfigMap update), and a periodic read of the files
/// catches what the watchers miss. A version loads only when two reads <see cref="Settle"/> apart
/// agree, so a file still being written (valid YAML cut at a line, with fewer rules) is never in force.
/// </remarks>
public sealed partial class PolicyStore : IDisposable
{
    /// <summary>The quiet period after a change before the files are read.</summary>
    internal static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);

    /// <summary>How far apart two equal reads must be before a version loads.</summary>
    internal static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    /// <summary>How often the files are read in case the watchers missed a change.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly IReadOnlyList<string> _paths;
    private readonly IReadOnlyList<string> _guardFiles;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _reloadLock = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private ITimer? _reloadTimer;
    private ITimer? _pollTimer;
    private PolicySources? _firstRead;
    private string _lastRead;
    private bool _reloadScheduled;
    private bool _disposed;
    private PolicySet _current;

    private PolicyStore(PolicySet initial, PolicySources sources, IReadOnlyList<string> guardFiles, ILogger logger, TimeProvider timeProvider)
    {
        _current = initial;
        _paths = sources.Paths;
        _lastRead = sources.Fingerprint;
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
        var sources = PolicySources.Read(paths);
        var result = PolicyLoader.Load(sources, guardFiles);
        errors = result.Errors;
        if (result.Policy is null)
        {
            return null;
        }

        var store = new PolicyStore(result.Policy, sources, guardFiles, logger, timeProvider);
        LogLoaded(logger, result.Policy.Version, result.Policy.Files.Count, result.Policy.Rules.Length);
        return store;
    }

    /// <summary>Reloads from disk now (one read: an operator asked for it).</summary>
    public PolicyLoadResult Reload()
    {
        lock (_reloadLock)
        {
            return Apply(PolicySources.Read(_paths));
        }
    }

    /// <summary>Starts watching the policy files and folders; changes reload once the files are stable.</summary>
    public void Watch()
    {
        lock (_reloadLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            WatchPaths();
            _pollTimer ??= _timeProvider.CreateTimer(_ => PollOnce(), null, PollInterval, PollInterval);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_reloadLock)
        {
            _disposed = true;
            DisposeWatchers();
            _reloadTimer?.Dispose();
            _pollTimer?.Dispose();
        }
    }

    /// <summary>Reads the files after the quiet period; loads them when this read equals the one before it.</summary>
    internal void ScheduleReload()
    {
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return;
            }

            _reloadTimer ??= _timeProvider.CreateTimer(_ => OnReloadTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

            // Something changed: a read before this is no witness that the files are complete.
            _firstRead = null;
            _reloadScheduled = true;
            _reloadTimer.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private PolicyLoadResult Apply(PolicySources sources)
    {
        _lastRead = sources.Fingerprint;
        var result = PolicyLoader.Load(sources, _guardFiles);
        LastResult = result;
        if (result.Policy is { } policy)
        {
            var previous = Interlocked.Exchange(ref _current, policy);
            if (previous.Version != policy.Version)
            {
                LogReloaded(_logger, previous.Version, policy.Version);
                var removed = PolicyRemovals.Between(previous, policy);
                if (removed.Any)
                {
                    LogReloadRemoved(_logger, previous.Version, policy.Version, string.Join(", ", removed.Rules), string.Join(", ", removed.Assets), string.Join(", ", removed.Tools));
                }
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

    private void OnReloadTimer()
    {
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return;
            }

            // The folder may have been removed and re-created, or a link swapped, since the watchers were made.
            if (_pollTimer is not null)
            {
                WatchPaths();
            }

            var sources = PolicySources.Read(_paths);
            if (_firstRead?.Fingerprint != sources.Fingerprint)
            {
                _firstRead = sources;
                _reloadTimer?.Change(Settle, Timeout.InfiniteTimeSpan);
                return;
            }

            _firstRead = null;
            _reloadScheduled = false;
            Apply(sources);
        }
    }

    /// <summary>Reads the files and schedules a reload when they differ from the last load (the periodic backstop for missed events).</summary>
    internal void PollOnce()
    {
        lock (_reloadLock)
        {
            if (_disposed || _reloadScheduled)
            {
                return;
            }

            if (PolicySources.Read(_paths).Fingerprint != _lastRead)
            {
                LogChangeFoundByPoll(_logger);
                ScheduleReload();
            }
        }
    }

    private void WatchPaths()
    {
        DisposeWatchers();
        var watched = new HashSet<(string Folder, string? Name)>();
        foreach (var path in _paths)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            var folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full);
            if (folder is null)
            {
                continue;
            }

            // Inside the folder (recursively: policy folders are searched so), and the folder's own
            // name in its parent: rm -rf and mkdir, or a new link renamed over the old one.
            if (Directory.Exists(folder) && watched.Add((folder, null)))
            {
                AddWatcher(folder, null);
            }

            if (Path.GetDirectoryName(folder) is { } parent && Directory.Exists(parent) && watched.Add((parent, Path.GetFileName(folder))))
            {
                AddWatcher(parent, Path.GetFileName(folder));
            }
        }
    }

    private void AddWatcher(string folder, string? name)
    {
        try
        {
            var watcher = name is null
                ? new FileSystemWatcher(folder) { IncludeSubdirectories = true }
                : new FileSystemWatcher(folder, name);
            watcher.NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size;
            watcher.Changed += OnChanged;
            watcher.Created += OnChanged;
            watcher.Deleted += OnChanged;
            watcher.Renamed += OnChanged;
            watcher.Error += OnError;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Out of inotify instances, or the folder went away meanwhile: the periodic read still finds changes.
            LogWatchFailed(_logger, folder, ex.Message);
        }
    }

    private void DisposeWatchers()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _watchers.Clear();
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => ScheduleReload();

    // Overflow, or the watched folder itself removed: read again rather than trust the watcher.
    private void OnError(object sender, ErrorEventArgs e) => ScheduleReload();

    [LoggerMessage(2001, LogLevel.Information, "Policy {Version} loaded: {FileCount} files, {RuleCount} rules")]
    private static partial void LogLoaded(ILogger logger, string version, int fileCount, int ruleCount);

    [LoggerMessage(2002, LogLevel.Information, "Policy reloaded: {PreviousVersion} -> {Version}")]
    private static partial void LogReloaded(ILogger logger, string previousVersion, string version);

    [LoggerMessage(2003, LogLevel.Error, "Policy reload rejected; version {Version} stays in force: {Error}")]
    private static partial void LogReloadRejected(ILogger logger, string version, string error);

    [LoggerMessage(2010, LogLevel.Warning, "Policy reload {PreviousVersion} -> {Version} removed rules [{Rules}], assets [{Assets}], tool mappings [{Tools}]")]
    private static partial void LogReloadRemoved(ILogger logger, string previousVersion, string version, string rules, string assets, string tools);

    [LoggerMessage(2011, LogLevel.Warning, "Cannot watch policy folder {Folder} ({Reason}); changes are still found by reading the files every few seconds")]
    private static partial void LogWatchFailed(ILogger logger, string folder, string reason);

    [LoggerMessage(2012, LogLevel.Information, "Policy files changed without a watcher event (a replaced folder or swapped link); reloading")]
    private static partial void LogChangeFoundByPoll(ILogger logger);
}
