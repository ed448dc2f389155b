using Npgsql;

namespace AgentGuard.Shared;

/// <summary>
/// The throwaway PostgreSQL cluster test.sh starts (tests/postgres/install.sh) and names in
/// <see cref="EnvironmentVariable"/>; without the variable the shared-state tests skip. Each test
/// gets a schema of its own (through <c>Search Path</c>), so tests running at once do not see each
/// other's replicas and holds; it is dropped at the end.
/// </summary>
internal sealed class SharedPostgres : IAsyncDisposable
{
    /// <summary>The cluster's connection string (test.sh sets it).</summary>
    public const string EnvironmentVariable = "AGENTGUARD_POSTGRES";

    private readonly string _server;

    private SharedPostgres(string server, string schema)
    {
        _server = server;
        Schema = schema;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
    }

    /// <summary>The schema this test's tables are in.</summary>
    public string Schema { get; }

    /// <summary>The connection string replicas use: the cluster, this test's schema.</summary>
    public string ConnectionString { get; }

    /// <summary>A new schema on the cluster, or skips the calling test when test.sh did not start one.</summary>
    public static SharedPostgres Create()
    {
        var server = Environment.GetEnvironmentVariable(EnvironmentVariable);
        Skip.If(string.IsNullOrEmpty(server), $"{EnvironmentVariable} is not set: run ./test.sh, or export {EnvironmentVariable}=$(tests/postgres/install.sh), to run the shared-state tests against a real PostgreSQL");
        return new SharedPostgres(server!, "t_" + Guid.NewGuid().ToString("N")[..12]);
    }

    /// <summary>A connection string for the same schema through <paramref name="port"/> on loopback (a relay that can be cut).</summary>
    public string Through(int port) => new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = port }.ConnectionString;

    /// <summary>The port the cluster listens on.</summary>
    public int Port => new NpgsqlConnectionStringBuilder(_server).Port;

    /// <summary>One value read by <paramref name="sql"/> in this test's schema.</summary>
    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    public async ValueTask DisposeAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(_server);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
        await command.ExecuteNonQueryAsync();
    }
}
