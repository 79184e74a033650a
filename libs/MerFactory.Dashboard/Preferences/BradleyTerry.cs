namespace MerFactory.Dashboard.Preferences;

public sealed record RankedItem(string Name, double Strength, int Wins, int Losses);

/// <summary>
/// Bradley–Terry strengths from pairwise wins, fitted with Hunter's MM iteration (2004). Half a win and half a loss
/// against a virtual average opponent keep an unbeaten or winless item finite.
/// </summary>
public static class BradleyTerry
{
    public static IReadOnlyList<RankedItem> Rank(IEnumerable<(string Winner, string Loser)> comparisons, int iterations = 200)
    {
        var pairs = comparisons.Where(c => c.Winner != c.Loser).ToList();
        var names = pairs.SelectMany(p => new[] { p.Winner, p.Loser }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) return [];
        var index = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        var n = names.Count;
        var wins = new double[n];
        var games = new double[n, n];
        foreach (var (w, l) in pairs)
        {
            wins[index[w]]++;
            games[index[w], index[l]]++;
            games[index[l], index[w]]++;
        }
        var strength = Enumerable.Repeat(1.0, n).ToArray();
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var next = new double[n];
            for (var i = 0; i < n; i++)
            {
                // The virtual opponent has strength 1 and one game (half won, half lost) with everybody.
                var denominator = 1.0 / (strength[i] + 1.0);
                for (var j = 0; j < n; j++)
                    if (games[i, j] > 0) denominator += games[i, j] / (strength[i] + strength[j]);
                next[i] = (wins[i] + 0.5) / denominator;
            }
            var mean = Math.Exp(next.Average(Math.Log));
            for (var i = 0; i < n; i++) next[i] /= mean;
            var delta = next.Zip(strength, (a, b) => Math.Abs(a - b)).Max();
            strength = next;
            if (delta < 1e-9) break;
        }
        return names.Select((name, i) => new RankedItem(name, Math.Round(Math.Log(strength[i]), 4), pairs.Count(p => p.Winner == name), pairs.Count(p => p.Loser == name)))
            .OrderByDescending(r => r.Strength).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
    }
}
