using Npgsql;

namespace AgentGuard.Shared;

/// <summary>Checks the <c>AgentGuard:SharedState</c> section; the errors never repeat the connection string, which may hold a password.</summary>
internal static class SharedStateValidation
{
    public static void Check(SharedStateOptions options, List<string> errors)
    {
        if (options.Postgres is not { Length: > 0 } postgres)
        {
            return;
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(postgres);
        }
        catch (ArgumentException ex)
        {
            errors.Add($"AgentGuard:SharedState:Postgres is not a valid Npgsql connection string ({ex.Message}); use Host=...;Username=...;Password=...;Database=....");
        }

        if (options.Heartbeat <= TimeSpan.Zero)
        {
            errors.Add($"AgentGuard:SharedState:Heartbeat is {options.Heartbeat}; use a positive time such as 00:00:02.");
        }
        else if (options.ReplicaTimeout < 2 * options.Heartbeat)
        {
            errors.Add($"AgentGuard:SharedState:ReplicaTimeout is {options.ReplicaTimeout}; use at least twice Heartbeat ({2 * options.Heartbeat}), or a live replica's holds would be taken for abandoned.");
        }

        if (options.Retention <= TimeSpan.Zero)
        {
            errors.Add($"AgentGuard:SharedState:Retention is {options.Retention}; use a positive time such as 1.00:00:00.");
        }

        if (options.MaxQueuedWrites < 1)
        {
            errors.Add($"AgentGuard:SharedState:MaxQueuedWrites is {options.MaxQueuedWrites}; use at least 1.");
        }
    }
}
