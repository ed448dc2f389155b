namespace AgentGuard.Proxy;

/// <summary>A denial for plain HTTP on an MCP route: 405 for a method the route does not take, with an RFC 9457 problem document carrying only the reference.</summary>
internal static class HttpDenial
{
    /// <summary>
    /// 405 with an <c>Allow</c> header, as the MCP transport lets a server answer a method it does not
    /// offer, and the same problem document shape as a denial.
    /// </summary>
    public static Task WriteMethodNotAllowedAsync(HttpContext context, string allow, string reference)
    {
        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        context.Response.Headers.Allow = allow;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(
            $$"""{"type":"about:blank","title":"Method Not Allowed","status":405,"detail":"method not allowed","ref":"{{reference}}"}""",
            context.RequestAborted);
    }
}
