using System.Text.Json;

namespace AgentGuard.Infrastructure;

/// <summary>Small JSON helpers for building arguments in tests.</summary>
internal static class Json
{
    /// <summary>Parses <paramref name="json"/> into an element that outlives its document.</summary>
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
