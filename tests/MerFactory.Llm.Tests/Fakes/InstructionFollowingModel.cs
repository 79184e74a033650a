using System.Text.RegularExpressions;

namespace MerFactory.Llm.Tests.Fakes;

/// <summary>
/// A stand-in model on the real OpenAI wire protocol that follows the prompt's format instruction: it ends a synthesis
/// with the concluding sentence the prompt asks for (brackets filled), and describes media otherwise. With
/// <see cref="ForgetConclusionOnce"/> its first synthesis answer omits the sentence, as real models sometimes do.
/// </summary>
internal static partial class InstructionFollowingModel
{
    public static bool IsSynthesis(RecordedCall call) => call.AllText.Contains("- Facial Expression Clues", StringComparison.Ordinal);

    public static Func<RecordedCall, string> Create(bool forgetConclusionOnce = false)
    {
        var forgot = 0;
        return call =>
        {
            var text = call.AllText;
            var ending = Ending().Matches(text).LastOrDefault();
            if (ending is null)
                return text.Contains("Facial Action Coding System", StringComparison.Ordinal)
                    ? "The raised cheeks and pulled lip corners form a smile."
                    : $"A person in a plain room, given {call.Media.Count} attachment(s); the voice sounds calm.";
            if (forgetConclusionOnce && !text.Contains("did not end with the required concluding sentence", StringComparison.Ordinal) && Interlocked.Exchange(ref forgot, 1) == 0)
                return "The clues point one way, but this answer stops before its conclusion.";
            var sentence = Brackets().Replace(ending.Groups["sentence"].Value, "the evidence at hand");
            return "The face and the voice agree with each other. " + sentence;
        };
    }

    public static Func<RecordedCall, string> ForgetConclusionOnce() => Create(forgetConclusionOnce: true);

    [GeneratedRegex("(?:[Ee]nd with exactly(?: this sentence)?(?:, filling the brackets)?|end with exactly this sentence|begins): \"(?<sentence>[^\"]+)\"")]
    private static partial Regex Ending();

    [GeneratedRegex(@"\[[^\]]+\]")]
    private static partial Regex Brackets();
}
