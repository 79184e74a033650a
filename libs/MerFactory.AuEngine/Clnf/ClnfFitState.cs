namespace MerFactory.AuEngine.Clnf;

/// <summary>Current parameters of one fitted model (main or part) and what the last fit found.</summary>
public sealed class ClnfFitState(int modeCount)
{
    public PdmPose Pose;

    public double[] Local { get; } = new double[modeCount];

    /// <summary>Mean log-likelihood of the landmarks under their responses in the last pass.</summary>
    public double Likelihood { get; set; } = -10;

    public void CopyFrom(ClnfFitState other)
    {
        Pose = other.Pose;
        other.Local.CopyTo(Local, 0);
        Likelihood = other.Likelihood;
    }

    public void Reset(PdmPose pose)
    {
        Pose = pose;
        Array.Clear(Local);
    }
}
