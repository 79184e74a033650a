using MerFactory.Speech.Text;

namespace MerFactory.Speech.Tests;

public class WordErrorRateTests
{
    [Fact]
    public void IdenticalTextHasNoErrors()
    {
        var result = WordErrorRate.Compute("ask not what your country can do", "Ask not, what your country can do!");
        Assert.Equal(0, result.Errors);
        Assert.Equal(7, result.ReferenceWords);
        Assert.Equal(0, result.Rate);
    }

    [Fact]
    public void CountsSubstitutionDeletionAndInsertionSeparately()
    {
        // sat→sit is a substitution, "the" before mat is deleted, "big" is inserted.
        var result = WordErrorRate.Compute("the cat sat on the mat", "the big cat sit on mat");
        Assert.Equal(1, result.Substitutions);
        Assert.Equal(1, result.Deletions);
        Assert.Equal(1, result.Insertions);
        Assert.Equal(3 / 6.0, result.Rate, 6);
    }

    [Fact]
    public void EmptyHypothesisDeletesEveryWord()
    {
        var result = WordErrorRate.Compute("one two three", "");
        Assert.Equal(new WordErrorResult(0, 3, 0, 3), result);
        Assert.Equal(1.0, result.Rate);
    }

    [Fact]
    public void InsertionsIntoEmptyReferenceCountAsFullError()
    {
        Assert.Equal(new WordErrorResult(0, 0, 2, 0), WordErrorRate.Compute("", "uh hmm"));
        Assert.Equal(1.0, WordErrorRate.Compute("", "uh hmm").Rate);
        Assert.Equal(0, WordErrorRate.Compute("", "").Rate);
    }

    [Fact]
    public void RateCanExceedOneWithManyInsertions()
    {
        var result = WordErrorRate.Compute("yes", "no no no");
        Assert.Equal(1, result.Substitutions);
        Assert.Equal(2, result.Insertions);
        Assert.Equal(3.0, result.Rate);
    }

    [Theory]
    [InlineData("Don't stop—now!", new[] { "don't", "stop", "now" })]
    [InlineData("  And so, my fellow Americans:  ", new[] { "and", "so", "my", "fellow", "americans" })]
    [InlineData("'quoted' text", new[] { "quoted", "text" })]
    public void NormalisesCaseAndPunctuation(string text, string[] expected) =>
        Assert.Equal(expected, WordErrorRate.Normalize(text));
}
