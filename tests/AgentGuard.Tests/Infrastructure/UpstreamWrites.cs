using System.Collections;
using System.Collections.Concurrent;
using System.Net.Sockets;
using AgentGuard.Proxy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace AgentGuard.Infrastructure;

/// <summary>
/// The size of every write the guard makes to its upstream connections, in order: the guard's own
/// client (<see cref="GuardHttpClientFactory"/>) on connections that count what passes.
/// </summary>
internal sealed class UpstreamWrites : IEnumerable<int>
{
    private readonly ConcurrentQueue<int> _writes = new();

    /// <summary>Gives a guard's services the counting client; pass as a guard's <c>services</c>.</summary>
    public void Register(IServiceCollection services)
        => services.AddSingleton<IForwarderHttpClientFactory>(provider => new CountingClientFactory(provider.GetRequiredService<ILogger<ForwarderHttpClientFactory>>(), _writes));

    public IEnumerator<int> GetEnumerator() => _writes.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class CountingClientFactory(ILogger<ForwarderHttpClientFactory> logger, ConcurrentQueue<int> writes) : GuardHttpClientFactory(logger)
    {
        protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
        {
            base.ConfigureHandler(context, handler);
            handler.ConnectCallback = async (connection, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(connection.DnsEndPoint, cancellationToken);
                    return new CountingStream(new NetworkStream(socket, ownsSocket: true), writes);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
    }

    private sealed class CountingStream(Stream inner, ConcurrentQueue<int> writes) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            writes.Enqueue(buffer.Length);
            inner.Write(buffer);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            writes.Enqueue(buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
