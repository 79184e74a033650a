namespace MerFactory.AuEngine.Alignment;

/// <summary>Euler (XYZ) rotations as OpenFace's RotationHelpers define them.</summary>
public static class RotationMath
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

    /// <summary>
    /// Nearest proper rotation to I + [w]× (the small-angle update), what OpenFace's SVD-based Orthonormalise returns.
    /// Closed form of the polar factor: (I + [w]×)·(P + (I − P)/√(1+|w|²)) with P the projector onto w.
    /// </summary>
    public static double[] OrthonormaliseSmallRotation(double wx, double wy, double wz)
    {
        double[] m = [1, -wz, wy, wz, 1, -wx, -wy, wx, 1];
        var n2 = wx * wx + wy * wy + wz * wz;
        if (n2 == 0) return m;
        var c = 1 / Math.Sqrt(1 + n2);
        double[] w = [wx, wy, wz];
        var inverseRoot = new double[9];
        for (var i = 0; i < 3; i++)
        for (var j = 0; j < 3; j++)
        {
            var p = w[i] * w[j] / n2;
            inverseRoot[i * 3 + j] = p + c * ((i == j ? 1 : 0) - p);
        }
        return Multiply(m, inverseRoot);
    }
}
