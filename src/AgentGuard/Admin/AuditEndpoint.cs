using System.Globalization;
using AgentGuard.Audit;
using AgentGuard.Policy;

namespace AgentGuard.Admin;

/// <summary>
/// <c>GET /api/audit</c>: audit records for security reviewers, newest last, a page at a time.
/// Filters are query parameters (<c>since</c> and <c>until</c> in ISO 8601, since inclusive and
/// until exclusive; <c>agent</c>, <c>decision</c>, <c>finding</c>, <c>tool</c>; <c>severity</c> as
/// a minimum; <c>type</c>: decision, upstream, checkpoint or all); <c>limit</c> (default 100, at
/// most 1000) and <c>offset</c> page through the matches. The records are returned as the log
/// holds them, so a reviewer can check their hashes against the chain.
/// </summary>
internal static partial class AuditEndpoint
{
    /// <summary>Records per page unless <c>limit</c> says otherwise.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The largest page; a larger <c>limit</c> is served as this many.</summary>
    public const int MaxLimit = 1000;

    private static readonly string[] Parameters = ["since", "until", "agent", "decision", "finding", "severity", "tool", "type", "limit", "offset"];
    private static readonly string[] Decisions = ["allow", "flag", "deny"];
    private static readonly string[] Types = ["decision", "oversight", "upstream", "checkpoint", "resume", "all"];

    public static async Task<IResult> HandleAsync(HttpContext context, AdminState state, ILoggerFactory loggers)
    {
        if (state.Audit is not { } audit)
        {
            return AdminResults.Error(
                StatusCodes.Status404NotFound, "the audit log is off; start the guard with AgentGuard:Audit:Directory set (--audit-dir DIR)");
        }

        if (Parse(context.Request.Query, out var error) is not { } page)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, error!);
        }

        List<AuditEntry> entries;
        try
        {
            // One more than asked for: whether it came back says if there is a next page.
            var directory = audit.Directory;
            entries = await Task.Run(() => AuditReader.Query(directory, page.Query, page.Offset, page.Limit + 1), context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogReadFailed(loggers.CreateLogger(typeof(AuditEndpoint).FullName!), ex, audit.Directory);
            return AdminResults.Error(StatusCodes.Status500InternalServerError, "the audit log cannot be read: " + ex.Message);
        }

        var hasMore = entries.Count > page.Limit;
        if (hasMore)
        {
            entries.RemoveAt(entries.Count - 1);
        }

        return new AuditPageResult(entries, page.Offset, page.Limit, hasMore ? (int)Math.Min((long)page.Offset + page.Limit, int.MaxValue) : null);
    }

    /// <summary>The query and page a request asks for, or <see langword="null"/> with the reason when a parameter is invalid.</summary>
    internal static AuditPage? Parse(IQueryCollection query, out string? error)
    {
        error = null;
        foreach (var (key, values) in query)
        {
            // A misspelt filter would otherwise widen the query silently: "desicion=deny" returning everything.
            if (Array.IndexOf(Parameters, key) < 0)
            {
                error = $"unknown parameter '{key}'; use {string.Join(", ", Parameters)}";
                return null;
            }

            if (values.Count != 1)
            {
                error = $"give '{key}' once";
                return null;
            }
        }

        DateTimeOffset? since = null, until = null;
        Severity? severity = null;
        if (Value(query, "since") is { } sinceText && (since = Time(sinceText)) is null)
        {
            error = $"since '{sinceText}' is not an ISO 8601 time; use e.g. 2026-05-01T00:00:00Z";
            return null;
        }

        if (Value(query, "until") is { } untilText && (until = Time(untilText)) is null)
        {
            error = $"until '{untilText}' is not an ISO 8601 time; use e.g. 2026-05-02T00:00:00Z";
            return null;
        }

        var decision = Value(query, "decision");
        if (decision is not null && !Contains(Decisions, decision))
        {
            error = $"decision '{decision}' is unknown; use allow, flag or deny";
            return null;
        }

        if (Value(query, "severity") is { } severityText)
        {
            if (!Enum.TryParse<Severity>(severityText, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(severityText, out _))
            {
                error = $"severity '{severityText}' is unknown; use info, low, medium, high or critical (the least severity to include)";
                return null;
            }

            severity = parsed;
        }

        var type = Value(query, "type");
        if (type is not null && !Contains(Types, type))
        {
            error = $"type '{type}' is unknown; use decision, oversight, upstream, checkpoint, resume or all (default: decisions and oversight findings)";
            return null;
        }

        var limit = DefaultLimit;
        if (Value(query, "limit") is { } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1)
            {
                error = $"limit '{limitText}' is not a positive whole number; use 1 to {MaxLimit} (default {DefaultLimit})";
                return null;
            }

            limit = Math.Min(limit, MaxLimit);
        }

        var offset = 0;
        if (Value(query, "offset") is { } offsetText
            && !int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            error = $"offset '{offsetText}' is not a whole number of records to skip; use 0 or more";
            return null;
        }

        var filter = new AuditQuery
        {
            Since = since,
            Until = until,
            Agent = Value(query, "agent"),
            Decision = decision,
            Finding = Value(query, "finding"),
            Severity = severity,
            Tool = Value(query, "tool"),
            Type = type?.ToLowerInvariant(),
        };
        return new AuditPage(filter, offset, limit);
    }

    private static string? Value(IQueryCollection query, string key)
        => query.TryGetValue(key, out var values) && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    private static bool Contains(string[] allowed, string value)
    {
        foreach (var candidate in allowed)
        {
            if (string.Equals(candidate, value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static DateTimeOffset? Time(string text)
    {
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out var time))
        {
            return time;
        }

        // An unescaped '+' in a query string arrives as a space: "...T10:00:00+02:00" as "...T10:00:00 02:00".
        var space = text.LastIndexOf(' ');
        return space > 0 && DateTimeOffset.TryParse(string.Concat(text.AsSpan(0, space), "+", text.AsSpan(space + 1)), CultureInfo.InvariantCulture, styles, out time)
            ? time
            : null;
    }

    [LoggerMessage(5003, LogLevel.Error, "The audit log in {Directory} cannot be read for the admin API")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string directory);
}
