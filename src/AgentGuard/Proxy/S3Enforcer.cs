using System.Text;

namespace AgentGuard.Proxy;

/// <summary>
/// Step 6 of the flow for S3 routes: a denial answers as S3 itself does, HTTP 403 with an
/// <c>AccessDenied</c> error document whose <c>RequestId</c> is the audit reference. The rule and
/// the finding go to the audit log only; S3 clients show the code and the request id.
/// </summary>
internal static class S3Enforcer
{
    /// <summary>Answers a denied (or undecodable) S3 request.</summary>
    public static async Task DenyAsync(HttpContext context, string reference)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status403Forbidden;

        // S3 names each answer by this header too; clients log it beside the error.
        response.Headers["x-amz-request-id"] = reference;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            // A HEAD answer has no body: S3 sends the status alone.
            return;
        }

        var body = Encoding.UTF8.GetBytes(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>" + reference + "</RequestId></Error>");
        response.ContentType = "application/xml";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }
}
