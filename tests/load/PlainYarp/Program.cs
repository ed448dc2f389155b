using Yarp.ReverseProxy.Configuration;

// Usage: PlainYarp <listen-url> <upstream-url>
// A catch-all route to one destination, configured like the guard's data plane (GuardHost):
// Kestrel core, no Server header, no body size limit, no X-Forwarded-* transforms, no logging
// providers. Only the inspection middleware is missing.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PlainYarp <listen-url> <upstream-url>");
    return 2;
}

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args });
builder.WebHost.UseKestrelCore().UseUrls(args[0]);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = null;
});
builder.Services.AddRoutingCore();
builder.Services.AddReverseProxy()
    .LoadFromMemory(
        [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**catch-all}" } }],
        [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["upstream"] = new() { Address = args[1] } } }])
    .AddTransforms(transforms => transforms.UseDefaultForwarders = false);

var app = builder.Build();
app.UseRouting();
app.MapReverseProxy();
await app.RunAsync();
return 0;
