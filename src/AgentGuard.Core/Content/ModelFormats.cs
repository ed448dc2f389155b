namespace AgentGuard.Content;

/// <summary>The names policies and audit records use for each <see cref="ModelFormat"/>.</summary>
public static class ModelFormats
{
    private static readonly string[] Names = ["safetensors", "gguf", "pytorch", "numpy", "onnx", "hdf5"];

    /// <summary>The policy name of <paramref name="format"/>, e.g. <c>safetensors</c>.</summary>
    public static string Name(ModelFormat format) => Names[(int)format];

    /// <summary>Reads a policy name (any case).</summary>
    public static bool TryParse(string name, out ModelFormat format)
    {
        var index = Array.FindIndex(Names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        format = (ModelFormat)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>Every name, for error messages.</summary>
    public static IReadOnlyList<string> All => Names;
}
