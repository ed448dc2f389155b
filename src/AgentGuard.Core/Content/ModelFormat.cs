namespace AgentGuard.Content;

/// <summary>A file format that holds model weights, recognised by its leading bytes.</summary>
public enum ModelFormat
{
    /// <summary>safetensors: an 8-byte little-endian header length, then a JSON header of tensors (<c>dtype</c>, <c>shape</c>, <c>data_offsets</c>).</summary>
    Safetensors,

    /// <summary>GGUF (llama.cpp): the magic <c>GGUF</c> and a version.</summary>
    Gguf,

    /// <summary>PyTorch's <c>torch.save</c>: a zip archive holding <c>data.pkl</c>.</summary>
    PyTorch,

    /// <summary>NumPy <c>.npy</c>: the magic <c>\x93NUMPY</c>, a version and a header dictionary.</summary>
    NumPy,

    /// <summary>ONNX: a protobuf <c>ModelProto</c> with its <c>ir_version</c> and <c>graph</c> fields.</summary>
    Onnx,

    /// <summary>HDF5 (Keras): the HDF5 signature.</summary>
    Hdf5,
}
