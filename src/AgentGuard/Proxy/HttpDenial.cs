namespace AgentGuard.Proxy;

/// <summary>A denial for plain HTTP: 403 with an RFC 9457 problem document carrying only the reference.</summary>
internal static class HttpDenial
{
    public static Task WriteAsync(HttpContext context, string reference)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(
            $$"""{"type":"about:blank","title":"Forbidden","status":403,"detail":"permission denied","ref":"{{reference}}"}""",
            context.RequestAborted);
    }
}
