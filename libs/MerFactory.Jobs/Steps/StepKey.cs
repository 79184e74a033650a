using System.Security.Cryptography;
using System.Text;
using MerFactory.Contracts;

namespace MerFactory.Jobs.Steps;

/// <summary>
/// The identity of a step's work: its name and version, the content hashes of its inputs and its
/// parameters. Same key, same outputs — so a step whose key has a committed manifest never runs again.
/// </summary>
public static class StepKey
{
    public static string Compute(string step, int version, IEnumerable<ObjectReference> inputs, params object?[] parameters)
    {
        var text = new StringBuilder().Append(step).Append('\n').Append(version).Append('\n');
        foreach (var input in inputs) text.Append("in:").Append(input.Sha256).Append('\n');
        foreach (var p in parameters)
        {
            text.Append("p:").Append(p switch
            {
                null => "null",
                double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => p.ToString(),
            }).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
