using MerFactory.AuEngine.Alignment;
using OpenCvSharp;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>
/// Head pose in OpenFace's CSV convention: translation (mm) from the camera and Euler rotation (radians), with
/// OpenFace's default camera for a frame of this size (f = 500·(w/640 + h/480)/2, principal point at the centre).
/// </summary>
public sealed record HeadPose(double Tx, double Ty, double Tz, double Rx, double Ry, double Rz)
{
    /// <summary>From the weak-perspective PDM fit alone: Tz = f/scale, Tx,Ty back-projected from the face centre.</summary>
    public static HeadPose FromPdm(PdmGlobalParams pose, int frameWidth, int frameHeight)
    {
        var (focal, cx, cy) = Camera(frameWidth, frameHeight);
        var z = focal / pose.Scale;
        return new HeadPose((pose.Tx - cx) * z / focal, (pose.Ty - cy) * z / focal, z, pose.Rx, pose.Ry, pose.Rz);
    }

    /// <summary>
    /// OpenFace's GetCorrectedPoseCamera (FeatureExtraction's default): the PDM pose refined by an iterative solvePnP of
    /// the fitted 3-D shape (<paramref name="shape3D"/>: x.., y.., z..) against the landmarks under perspective, then the
    /// rotation corrected for the direction from the camera to the head.
    /// </summary>
    public static HeadPose FromPerspective(PdmGlobalParams pose, ReadOnlySpan<double> shape3D, ReadOnlySpan<double> landmarks, int frameWidth, int frameHeight)
    {
        var start = FromPdm(pose, frameWidth, frameHeight);
        var (focal, cx, cy) = Camera(frameWidth, frameHeight);
        var n = landmarks.Length / 2;
        var objectPoints = new Point3f[n];
        var imagePoints = new Point2f[n];
        for (var i = 0; i < n; i++)
        {
            objectPoints[i] = new Point3f((float)shape3D[i], (float)shape3D[i + n], (float)shape3D[i + 2 * n]);
            imagePoints[i] = new Point2f((float)landmarks[i], (float)landmarks[i + n]);
        }
        // As OpenFace: the initial rotation vector is the Euler angles themselves (close enough for small rotations).
        double[] rotation = [pose.Rx, pose.Ry, pose.Rz];
        double[] translation = [start.Tx, start.Ty, start.Tz];
        Cv2.SolvePnP(objectPoints, imagePoints, new double[,] { { focal, 0, cx }, { 0, focal, cy }, { 0, 0, 1 } }, null,
            ref rotation, ref translation, useExtrinsicGuess: true);
        double tx = translation[0], ty = translation[1], tz = translation[2];
        var cameraRotation = RotationMath.EulerToMatrix(Math.Atan2(ty, Math.Sqrt(tx * tx + tz * tz)), -Math.Atan2(tx, Math.Sqrt(ty * ty + tz * tz)), 0);
        using var rotationVector = Mat.FromArray(rotation);
        using var headMatrix = new Mat();
        Cv2.Rodrigues(rotationVector, headMatrix);
        headMatrix.GetArray(out double[] head);
        var (rx, ry, rz) = RotationMath.MatrixToEuler(RotationMath.Multiply(cameraRotation, head));
        return new HeadPose(tx, ty, tz, rx, ry, rz);
    }

    private static (double Focal, double Cx, double Cy) Camera(int frameWidth, int frameHeight) =>
        ((500.0 * frameWidth / 640.0 + 500.0 * frameHeight / 480.0) / 2, frameWidth / 2.0, frameHeight / 2.0);
}
