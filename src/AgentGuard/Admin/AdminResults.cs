namespace AgentGuard.Admin;

/// <summary>The admin API's answers that are not data: one shape for every error, <c>{"error": "..."}</c>.</summary>
internal static class AdminResults
{
    public static IResult Error(int status, string message) => Results.Json(new ErrorBody(message), statusCode: status);

    private sealed record ErrorBody(string Error);
}
