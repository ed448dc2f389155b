namespace AgentGuard.Content;

/// <summary>The policy-file names of <see cref="ModelFormat"/>s (an asset's <c>formats:</c>).</summary>
public static class ModelFormats
{
    /// <summary>Every name, in <see cref="ModelFormat"/> order.</summary>
    public static readonly string[] Names = ["safetensors", "gguf", "pytorch", "numpy", "onnx", "hdf5"];

    /// <summary>The policy-file name of <paramref name="format"/>.</summary>
    public static string Name(ModelFormat format) => Names[(int)format];

    /// <summary>Parses a policy-file name.</summary>
    public static bool TryParse(string name, out ModelFormat format)
    {
        var index = Array.IndexOf(Names, name);
        format = (ModelFormat)Math.Max(index, 0);
        return index >= 0;
    }
}
