using System.Net;
using System.Net.Sockets;

namespace MerFactory.Testing;

/// <summary>Fixed ports for processes that need them known in advance (a broker, an AppHost's infrastructure).</summary>
public static class FreePorts
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>
    /// <paramref name="count"/> consecutive free loopback ports, below the ephemeral range (so no outgoing connection
    /// takes one while a server is down) and away from the fixed ports of scripts/test.sh (152xx, 153xx) and the AppHost's defaults.
    /// </summary>
    public static int Block(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20000, 32000);
            // A port handed out earlier may not be bound yet (its process still starting): never hand it out twice.
            if (!Enumerable.Range(first, count).All(p => !HandedOut.ContainsKey(p) && IsFree(p))) continue;
            if (Enumerable.Range(first, count).All(p => HandedOut.TryAdd(p, 0))) return first;
        }
        throw new InvalidOperationException($"no {count} consecutive free ports found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
