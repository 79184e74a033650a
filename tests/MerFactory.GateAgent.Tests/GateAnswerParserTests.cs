using System.Text.Json;
using MerFactory.GateAgent.Decisions;

namespace MerFactory.GateAgent.Tests;

public sealed class GateAnswerParserTests
{
    private static readonly GateAnswerRules Rules = new(
        [GateModality.Audio, GateModality.Video],
        ["media_metrics", "au_lookup"]);

    private const string ValidDecision =
        "{\"action\": \"final_decision\", \"evaluation\": {\"audio\": {\"status\": \"pass\", \"reason\": \"clear cues\"}, \"video\": {\"status\": \"fail\", \"reason\": \"vague\"}}}";

    [Fact]
    public void A_json_fence_wins_over_other_fences_and_prose()
    {
        var answer = "Thinking...\n```text\nnot this\n```\nFinal:\n```JSON\n" + ValidDecision + "\n```\nDone.";

        var decision = Assert.IsType<FinalDecisionAnswer>(GateAnswerParser.Parse(answer, Rules));

        Assert.Equal(new ModalityVerdict(true, "clear cues"), decision.Evaluation[GateModality.Audio]);
        Assert.Equal(new ModalityVerdict(false, "vague"), decision.Evaluation[GateModality.Video]);
    }

    [Fact]
    public void The_first_plain_fence_or_the_raw_text_is_used_without_a_json_fence()
    {
        Assert.IsType<FinalDecisionAnswer>(GateAnswerParser.Parse("```\n" + ValidDecision + "\n```", Rules));
        Assert.IsType<FinalDecisionAnswer>(GateAnswerParser.Parse("  " + ValidDecision + "  ", Rules));
        Assert.Equal("{\"a\": 1}", GateAnswerParser.ExtractJson("Answer:\n```python\n{\"a\": 1}\n```\n```\n{\"b\": 2}\n```"));
    }

    [Fact]
    public void Json_inside_prose_without_a_fence_is_found()
    {
        var answer = "My decision is " + ValidDecision + " and that is final.";

        Assert.IsType<FinalDecisionAnswer>(GateAnswerParser.Parse(answer, Rules));
    }

    [Fact]
    public void The_legacy_bare_evaluation_is_accepted()
    {
        var answer = "{\"audio\": {\"status\": \"PASS\", \"reason\": \"ok\"}, \"video\": {\"status\": \" Fail \", \"reason\": \"no gestures\"}}";

        var decision = Assert.IsType<FinalDecisionAnswer>(GateAnswerParser.Parse(answer, Rules));

        Assert.True(decision.Evaluation[GateModality.Audio].Passed);
        Assert.False(decision.Evaluation[GateModality.Video].Passed);
    }

    [Fact]
    public void Tool_arguments_may_be_an_object_a_json_string_or_absent()
    {
        var asObject = Assert.IsType<ToolUseAnswer>(GateAnswerParser.Parse("{\"action\":\"tool_use\",\"tool\":\"au_lookup\",\"arguments\":{\"time\":1.5}}", Rules));
        var asString = Assert.IsType<ToolUseAnswer>(GateAnswerParser.Parse("{\"action\":\"tool_use\",\"tool\":\"au_lookup\",\"arguments\":\"{\\\"time\\\": 2}\"}", Rules));
        var absent = Assert.IsType<ToolUseAnswer>(GateAnswerParser.Parse("{\"action\":\"tool_use\",\"tool\":\"media_metrics\"}", Rules));

        Assert.Equal(1.5, asObject.Arguments.GetProperty("time").GetDouble());
        Assert.Equal(2, asString.Arguments.GetProperty("time").GetDouble());
        Assert.Equal(JsonValueKind.Undefined, absent.Arguments.ValueKind);
    }

    [Theory]
    [InlineData("", "The answer was empty; it must be one JSON object.")]
    [InlineData("[1,2]", "The JSON must be an object with an \"action\" field.")]
    [InlineData("{\"tool\": \"au_lookup\"}", "\"action\" is missing; it must be \"tool_use\" or \"final_decision\".")]
    [InlineData("{\"action\": 3}", "\"action\" must be the string \"tool_use\" or \"final_decision\".")]
    [InlineData("{\"action\": \"final_decision\", \"evaluation\": \"all good\"}", "\"evaluation\" must be an object with an entry for each of: audio, video.")]
    [InlineData("{\"action\": \"tool_use\", \"tool\": \"au_lookup\", \"arguments\": \"time=2\"}", "\"arguments\" must be a JSON object of the tool's arguments, e.g. {} or {\"time\": 2.5}.")]
    [InlineData("{\"action\": \"tool_use\", \"tool\": \"run_python_code\", \"arguments\": {\"code\": \"print(1)\"}}", "unknown tool \"run_python_code\"; available tools: media_metrics, au_lookup. There is no shell and no code execution.")]
    [InlineData("{\"action\": \"tool_use\", \"arguments\": {}}", "\"tool\" must name one of the available tools: media_metrics, au_lookup.")]
    [InlineData("{\"action\": \"final_decision\", \"evaluation\": {\"audio\": \"pass\", \"video\": {\"status\": \"pass\", \"reason\": \"ok\"}}}", "evaluation.audio must be an object {\"status\": \"pass\"|\"fail\", \"reason\": \"…\"}.")]
    public void Schema_violations_are_named(string answer, string problem)
    {
        var invalid = Assert.IsType<InvalidAnswer>(GateAnswerParser.Parse(answer, Rules));

        Assert.Contains(problem, invalid.Problems);
    }

    [Fact]
    public void Broken_json_is_reported_with_the_parser_message()
    {
        var invalid = Assert.IsType<InvalidAnswer>(GateAnswerParser.Parse("```json\n{\"action\": \"final_decision\", \n```", Rules));

        Assert.StartsWith("The answer is not valid JSON (", Assert.Single(invalid.Problems));
    }

    [Fact]
    public void The_schema_shown_to_the_model_lists_the_required_modalities_and_the_tools()
    {
        using var schema = JsonDocument.Parse(GateAnswerSchema.Text(Rules));

        var oneOf = schema.RootElement.GetProperty("oneOf");
        Assert.Equal(["media_metrics", "au_lookup"], oneOf[0].GetProperty("properties").GetProperty("tool").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["audio", "video"], oneOf[1].GetProperty("properties").GetProperty("evaluation").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["pass", "fail"], schema.RootElement.GetProperty("$defs").GetProperty("verdict").GetProperty("properties").GetProperty("status").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }
}
