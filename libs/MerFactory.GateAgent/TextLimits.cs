namespace MerFactory.GateAgent;

internal static class TextLimits
{
    /// <summary>Cuts <paramref name="text"/> to <paramref name="maxChars"/>, saying how much was left out.</summary>
    public static string Cut(string text, int maxChars) =>
        text.Length <= maxChars ? text : text[..maxChars] + $"\n[cut: {text.Length - maxChars} more characters]";
}
