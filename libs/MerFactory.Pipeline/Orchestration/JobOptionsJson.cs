using System.Text.Json;
using System.Text.Json.Serialization;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>How job options travel to a deployment (the <c>options_json</c> of a job submission).</summary>
public static class JobOptionsJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(JobOptions options) => JsonSerializer.Serialize(options, Options);

    public static JobOptions Deserialize(string json) =>
        string.IsNullOrWhiteSpace(json) ? new JobOptions() : JsonSerializer.Deserialize<JobOptions>(json, Options) ?? new JobOptions();
}
