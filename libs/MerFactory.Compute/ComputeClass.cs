namespace MerFactory.Compute;

/// <summary>
/// What kind of unit a piece of CPU work is. The scheduler runs classes in this order, and files by their
/// <see cref="ComputeOrder"/> within a class.
/// </summary>
public enum ComputeClass
{
    /// <summary>
    /// Short units that other work waits for (voice activity before speech chunks, prosody before the transcript is
    /// written, model loading). They take a fraction of a second, so running them first never holds anything back.
    /// </summary>
    Gating = 0,

    /// <summary>
    /// Units that cannot be split across cores and run for seconds (a speech chunk on one decoder). Started before the
    /// bulk work so that a long one does not run alone at the end while the other cores idle (longest first), and so
    /// a file's transcript, and its LLM call, come while its frames are still being analysed.
    /// </summary>
    Indivisible = 1,

    /// <summary>Work already cut into many small units that fill the cores around the others (AU frame chunks, photos).</summary>
    Bulk = 2,
}
