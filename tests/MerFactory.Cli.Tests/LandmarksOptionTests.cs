using MerFactory.AuEngine.Pipeline;
using MerFactory.Llm.Routing;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Cli.Tests;

/// <summary>
/// Issue 19: <c>--landmarks</c> reaches the AU engine as a value of the run's own embedded host configuration, never
/// through the process environment (which every later host in the process would inherit).
/// </summary>
public sealed class LandmarksOptionTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-cli-landmarks-").FullName;

    private static readonly string Clip = SharedData.DataPath("media", "pyfeat", "single_face.mp4");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData(new[] { "--landmarks", "dlib" }, LandmarkMethod.Dlib)]
    [InlineData(new[] { "--landmarks", "CLNF" }, LandmarkMethod.Clnf)]
    [InlineData(new string[0], null)]
    public void The_option_parses_to_a_landmark_method_or_leaves_it_to_the_configuration(string[] flags, LandmarkMethod? expected)
    {
        var parse = ProcessCommand.Create().Parse([Clip, Path.Combine(_work, "out"), .. flags]);
        Assert.Empty(parse.Errors);
        Assert.Equal(expected, ProcessCommand.LandmarkChoice(parse));
    }

    [Fact]
    public void An_unknown_method_is_a_usage_error()
    {
        var parse = ProcessCommand.Create().Parse([Clip, Path.Combine(_work, "out"), "--landmarks", "sift"]);
        Assert.Contains(parse.Errors, e => e.Message.Contains("expected clnf or dlib", StringComparison.Ordinal));
    }

    [Fact]
    public void The_choice_configures_the_embedded_engine_and_not_the_process_environment()
    {
        var variable = $"{AuEngineOptions.SectionName}__{nameof(AuEngineOptions.Landmarks)}";
        Assert.Null(Environment.GetEnvironmentVariable(variable));
        var output = new OutputFolder(Path.Combine(_work, "out"));
        var job = new JobOptions { Type = ProcessingType.AU, Silent = true };

        using (var dlib = EmbeddedRun.BuildHost(job, new LlmCliFlags(), output, [], new EmbeddedEngineChoices(LandmarkMethod.Dlib)))
            Assert.Equal(LandmarkMethod.Dlib, dlib.Services.GetRequiredService<AuEngineOptions>().Landmarks);
        Assert.Null(Environment.GetEnvironmentVariable(variable));

        // The next run in the same process (the dashboard starts several) is not affected by the previous choice.
        using var next = EmbeddedRun.BuildHost(job, new LlmCliFlags(), output, []);
        Assert.Equal(LandmarkMethod.Clnf, next.Services.GetRequiredService<AuEngineOptions>().Landmarks);
    }
}
