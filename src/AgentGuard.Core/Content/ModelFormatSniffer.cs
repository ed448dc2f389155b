namespace AgentGuard.Content;

/// <summary>
/// Recognises model weights by the first bytes of their content, whatever the file is called. Reads
/// at most <see cref="Window"/> bytes; never throws, whatever the input.
/// </summary>
/// <remarks>
/// Each format has its own recogniser, built to the format's specification rather than to a single
/// magic byte: a text, CSV, PDF, image or plain archive is never weights, and a weights file larger
/// than the window is recognised from its header alone (its tensor data lies beyond).
/// </remarks>
public static class ModelFormatSniffer
{
    /// <summary>How many leading bytes are enough to recognise every format (and the most ever read).</summary>
    public const int Window = 64 * 1024;

    /// <summary>The format <paramref name="prefix"/> (the first bytes of the content, at most <see cref="Window"/>) begins, or <see langword="null"/>.</summary>
    public static ModelFormat? Sniff(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length > Window)
        {
            prefix = prefix[..Window];
        }

        // Each recogniser first checks a fixed signature, so trying them in turn costs a few compares
        // for content that is none of them.
        if (GgufRecognizer.Recognizes(prefix))
        {
            return ModelFormat.Gguf;
        }

        if (NumPyRecognizer.Recognizes(prefix))
        {
            return ModelFormat.NumPy;
        }

        if (Hdf5Recognizer.Recognizes(prefix))
        {
            return ModelFormat.Hdf5;
        }

        if (PyTorchRecognizer.Recognizes(prefix))
        {
            return ModelFormat.PyTorch;
        }

        if (SafetensorsRecognizer.Recognizes(prefix))
        {
            return ModelFormat.Safetensors;
        }

        if (OnnxRecognizer.Recognizes(prefix))
        {
            return ModelFormat.Onnx;
        }

        return null;
    }
}
