using System.Text.RegularExpressions;

namespace MerFactory.Storage;

/// <summary>
/// What a credential owns lives under its name: <c>uploads/{owner}/</c>, <c>jobs/{owner}/</c>, <c>datasets/{owner}/</c>,
/// <c>exports/{owner}/</c>. Ownership is then a property of the key itself, the same in every service that checks it.
/// </summary>
public static partial class OwnedKeys
{
    public const string Uploads = "uploads";
    public const string Jobs = "jobs";
    public const string Datasets = "datasets";
    public const string Exports = "exports";

    /// <summary>The folder of <paramref name="owner"/> in <paramref name="area"/>, ending in '/'.</summary>
    public static string Prefix(string area, string owner) => $"{area}/{ValidateOwner(owner)}/";

    /// <summary>True when <paramref name="key"/> (a valid key or prefix) lies in one of the owner's folders of <paramref name="areas"/>.</summary>
    public static bool IsOwnedBy(string key, string owner, params string[] areas) =>
        areas.Any(area => key.StartsWith(Prefix(area, owner), StringComparison.Ordinal));

    /// <summary>A credential name is one lower-case key segment (letters, digits, '-'), so it cannot reach into another's folder.</summary>
    public static string ValidateOwner(string owner) =>
        OwnerPattern().IsMatch(owner) ? owner : throw new ArgumentException($"'{owner}' cannot own objects: credential names are lower-case letters, digits and '-'.", nameof(owner));

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex OwnerPattern();
}
