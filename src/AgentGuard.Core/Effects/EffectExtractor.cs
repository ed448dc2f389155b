using System.Text.Json;
using AgentGuard.Content;

namespace AgentGuard.Effects;

/// <summary>
/// Turns a tool call into canonical effects: through the tool's declared mapping for
/// <c>tools/call</c> (templates, or the shell analyser for <c>kind: shell</c>), and from the named
/// URI for resource methods.
/// </summary>
public static class EffectExtractor
{
    // Per thread, not per call: extraction never re-enters itself, and the lists are emptied after each call.
    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>Extracts the effects of <paramref name="call"/> into <paramref name="effects"/>.</summary>
    /// <param name="call">The call.</param>
    /// <param name="mapping">The tool's effect templates, or <see langword="null"/> when the tool is not mapped.</param>
    /// <param name="effects">Receives the effects.</param>
    /// <returns><see langword="null"/> on success, otherwise why the call's resources could not be understood.</returns>
    public static string? Extract(ToolCall call, EffectTemplate[]? mapping, List<Effect> effects)
    {
        if (call.ResourceUri is not null)
        {
            var resource = ResourceCanonicalizer.Canonicalize(call.ResourceUri, out var error);
            if (resource is null)
            {
                return error;
            }

            effects.Add(new Effect(EffectKind.Read, resource));
        }

        if (mapping is null)
        {
            return null;
        }

        var scratch = t_scratch ??= new Scratch();
        try
        {
            return ExtractMapped(call.Arguments, mapping, effects, scratch);
        }
        finally
        {
            // Arguments are the agent's data: keep none of it on the thread after the call.
            scratch.Clear();
        }
    }

    private static string? ExtractMapped(JsonElement arguments, EffectTemplate[] mapping, List<Effect> effects, Scratch scratch)
    {
        var (resources, destinations, values) = (scratch.Resources, scratch.Destinations, scratch.Values);
        foreach (var template in mapping)
        {
            if (template.Shell is { } shell)
            {
                if (shell.Extract(arguments, effects) is { } shellError)
                {
                    return shellError;
                }

                continue;
            }

            var error = template.Resource.Expand(arguments, resources);
            if (error is not null)
            {
                return error;
            }

            destinations.Clear();
            if (template.Destination is not null && (error = template.Destination.Expand(arguments, destinations)) is not null)
            {
                return error;
            }

            values.Clear();
            if (template.Value is not null && (error = template.Value.Expand(arguments, values)) is not null)
            {
                return error;
            }

            ModelFormat? format = null;
            if (template.Content is not null && (error = template.Content.Sniff(arguments, scratch.Contents, out format)) is not null)
            {
                return error;
            }

            // Destinations are canonicalised in place with the first resource, where a bad one first
            // fails, and reused for the others.
            var destinationsCanonical = false;
            foreach (var raw in resources)
            {
                var resource = ResourceCanonicalizer.Canonicalize(raw, out error);
                if (resource is null)
                {
                    return error;
                }

                if (destinations.Count == 0)
                {
                    AddWithValues(effects, template.Kind, resource, null, values, format);
                    continue;
                }

                for (var i = 0; i < destinations.Count; i++)
                {
                    var destination = destinationsCanonical ? destinations[i] : ResourceCanonicalizer.Canonicalize(destinations[i], out error);
                    if (destination is null)
                    {
                        return error;
                    }

                    destinations[i] = destination;
                    AddWithValues(effects, template.Kind, resource, destination, values, format);
                    if (template.Kind is EffectKind.Copy or EffectKind.Move)
                    {
                        // Copying or moving onto a protected resource overwrites it: the same as writing it.
                        effects.Add(new Effect(EffectKind.Write, Landing(resource, destination)));
                    }
                }

                destinationsCanonical = true;
            }
        }

        return null;
    }

    /// <summary>The authority (host or bucket) of a canonical URI; empty for <c>file:///</c>.</summary>
    public static ReadOnlySpan<char> Authority(string canonical)
    {
        var start = canonical.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return [];
        }

        var rest = canonical.AsSpan(start + 3);
        var end = rest.IndexOfAny('/', '#');
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>Whether a copy, move or egress effect leaves the host its resource is on.</summary>
    public static bool CrossesHost(Effect effect)
        => effect.Destination is not null
            && !Authority(effect.Resource).Equals(Authority(effect.Destination), StringComparison.OrdinalIgnoreCase);

    private static void AddWithValues(List<Effect> effects, EffectKind kind, string resource, string? destination, List<string> values, ModelFormat? format)
    {
        if (values.Count == 0)
        {
            effects.Add(new Effect(kind, resource, destination, Format: format));
            return;
        }

        foreach (var value in values)
        {
            effects.Add(new Effect(kind, resource, destination, value, Format: format));
        }
    }

    private static string Landing(string resource, string destination)
    {
        if (!destination.EndsWith('/'))
        {
            return destination;
        }

        var slash = resource.LastIndexOf('/');
        return string.Concat(destination, resource.AsSpan(slash + 1));
    }

    private sealed class Scratch
    {
        public List<string> Resources { get; } = [];

        public List<string> Destinations { get; } = [];

        public List<string> Values { get; } = [];

        // The content arguments' JSON values: they refer to the call's document, so they are dropped with it.
        public List<JsonElement> Contents { get; } = [];

        public void Clear()
        {
            Clear(Resources);
            Clear(Destinations);
            Clear(Values);
            Contents.Clear();
            if (Contents.Capacity > ArgumentTemplate.MaxExpansions)
            {
                Contents.Capacity = 0;
            }
        }

        // A placeholder can bind any number of values before the expansion limit is checked; a
        // thread keeps no more room than one limit's worth.
        private static void Clear(List<string> list)
        {
            list.Clear();
            if (list.Capacity > ArgumentTemplate.MaxExpansions)
            {
                list.Capacity = 0;
            }
        }
    }
}
