using System.Diagnostics;
using System.Globalization;

namespace MerFactory.Bench;

/// <summary>
/// CPU seconds of a running process and everything under it, from <c>/proc</c>: user + system time of the process and
/// of its live descendants, plus what its reaped children used (cutime/cstime, e.g. ffmpeg runs a service waited for).
/// Taken before and after a run, the difference is what that service spent on the run.
/// </summary>
internal static class ProcessTreeCpu
{
    private static readonly double TicksPerSecond = ClockTicks();

    public static double Seconds(int pid)
    {
        var stats = ReadAll();
        if (!stats.ContainsKey(pid)) return 0;
        var total = 0.0;
        var pending = new Stack<int>([pid]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            var (_, cpu, reaped) = stats[current];
            total += cpu + reaped;
            foreach (var (child, stat) in stats)
                if (stat.Parent == current) pending.Push(child);
        }
        return total / TicksPerSecond;
    }

    /// <summary>The process listening on a loopback TCP port (e.g. the broker or the S3 server started elsewhere), from <c>ss</c>.</summary>
    public static int? ListeningPid(int port)
    {
        var psi = new ProcessStartInfo("ss", ["-ltnpH", $"sport = :{port}"]) { RedirectStandardOutput = true };
        using var ss = Process.Start(psi)!;
        var text = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        var at = text.IndexOf("pid=", StringComparison.Ordinal);
        if (at < 0) return null;
        var end = text.IndexOf(',', at);
        return int.TryParse(text.AsSpan(at + 4, end - at - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private static Dictionary<int, (int Parent, long Cpu, long Reaped)> ReadAll()
    {
        var stats = new Dictionary<int, (int, long, long)>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            string line;
            try { line = File.ReadAllText(Path.Combine(folder, "stat")); }
            catch (IOException) { continue; } // exited meanwhile
            // The command name may hold spaces and parentheses; the fields after its last ')' are fixed.
            var fields = line[(line.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            stats[pid] = ((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
        }
        return stats;
    }

    private static double ClockTicks()
    {
        var psi = new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true };
        using var getconf = Process.Start(psi)!;
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
    }
}
