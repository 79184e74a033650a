using MerFactory.AuEngine.Alignment;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>
/// Head pose in OpenFace's CSV convention: translation (mm) from the camera and Euler rotation (radians).
/// Derived from the weak-perspective PDM fit with OpenFace's default camera for a frame of this size
/// (f = 500·(w/640 + h/480)/2, principal point at the centre): Tz = f/scale, Tx,Ty back-projected from the face
/// centre. OpenFace additionally refines with solvePnP, so its values differ slightly.
/// </summary>
public sealed record HeadPose(double Tx, double Ty, double Tz, double Rx, double Ry, double Rz)
{
    public static HeadPose FromPdm(PdmGlobalParams pose, int frameWidth, int frameHeight)
    {
        var focal = (500.0 * frameWidth / 640.0 + 500.0 * frameHeight / 480.0) / 2;
        double cx = frameWidth / 2.0, cy = frameHeight / 2.0;
        var z = focal / pose.Scale;
        return new HeadPose((pose.Tx - cx) * z / focal, (pose.Ty - cy) * z / focal, z, pose.Rx, pose.Ry, pose.Rz);
    }
}
