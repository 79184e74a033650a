namespace MerFactory.AuEngine.Alignment;

/// <summary>Euler (XYZ) rotations as OpenFace's RotationHelpers define them.</summary>
internal static class RotationMath
{
    /// <summary>R = Rx·Ry·Rz, row-major 3x3.</summary>
    public static double[] EulerToMatrix(double rx, double ry, double rz)
    {
        double s1 = Math.Sin(rx), s2 = Math.Sin(ry), s3 = Math.Sin(rz);
        double c1 = Math.Cos(rx), c2 = Math.Cos(ry), c3 = Math.Cos(rz);
        return
        [
            c2 * c3, -c2 * s3, s2,
            c1 * s3 + c3 * s1 * s2, c1 * c3 - s1 * s2 * s3, -c2 * s1,
            s1 * s3 - c1 * c3 * s2, c3 * s1 + c1 * s2 * s3, c1 * c2,
        ];
    }

    /// <summary>Inverse of <see cref="EulerToMatrix"/> through the quaternion, as OpenFace does.</summary>
    public static (double Rx, double Ry, double Rz) MatrixToEuler(double[] r)
    {
        var q0 = Math.Sqrt(1 + r[0] + r[4] + r[8]) / 2.0;
        var q1 = (r[7] - r[5]) / (4.0 * q0);
        var q2 = (r[2] - r[6]) / (4.0 * q0);
        var q3 = (r[3] - r[1]) / (4.0 * q0);
        var t1 = Math.Clamp(2.0 * (q0 * q2 + q1 * q3), -1.0, 1.0);
        var yaw = Math.Asin(t1);
        var pitch = Math.Atan2(2.0 * (q0 * q1 - q2 * q3), q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3);
        var roll = Math.Atan2(2.0 * (q0 * q3 - q1 * q2), q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3);
        return (pitch, yaw, roll);
    }

    public static double[] Multiply(double[] a, double[] b)
    {
        var c = new double[9];
        for (var i = 0; i < 3; i++)
        for (var j = 0; j < 3; j++)
            c[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
        return c;
    }

    /// <summary>Nearest proper rotation (SVD, U·diag(1,1,det)·Vᵀ), as OpenFace's Orthonormalise.</summary>
    public static double[] Orthonormalise(double[] m)
    {
        using var src = OpenCvSharp.Mat.FromPixelData(3, 3, OpenCvSharp.MatType.CV_64FC1, m);
        using var w = new OpenCvSharp.Mat();
        using var u = new OpenCvSharp.Mat();
        using var vt = new OpenCvSharp.Mat();
        OpenCvSharp.Cv2.SVDecomp(src, w, u, vt);
        u.GetArray(out double[] ua);
        vt.GetArray(out double[] va);
        var x = Multiply(ua, va);
        var det = x[0] * (x[4] * x[8] - x[5] * x[7]) - x[1] * (x[3] * x[8] - x[5] * x[6]) + x[2] * (x[3] * x[7] - x[4] * x[6]);
        double[] d = [1, 0, 0, 0, 1, 0, 0, 0, det];
        return Multiply(Multiply(ua, d), va);
    }
}
