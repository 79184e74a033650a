using System.Globalization;
using System.Numerics;

namespace MerFactory.Facs.Formatting;

/// <summary>
/// Number formatting that reproduces Python (and C's printf, which OpenFace's CSV writer uses) byte for byte,
/// so texts such as "Peak at 10.20s" and "intensity: 1.94" match MER-Factory exactly.
/// </summary>
public static class PythonFormat
{
    /// <summary>
    /// Python's <c>format(value, f".{decimals}f")</c>: the exact binary value rounded half-to-even,
    /// e.g. 2.675 → "2.67" (the double is 2.67499…), 0.125 → "0.12", -0.001 → "-0.00".
    /// </summary>
    public static string Fixed(double value, int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";

        var bits = BitConverter.DoubleToInt64Bits(value);
        var negative = bits < 0;
        var biasedExponent = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        // value = mantissa * 2^exponent exactly
        BigInteger mantissa = biasedExponent == 0 ? fraction : fraction | (1L << 52);
        var exponent = biasedExponent == 0 ? -1074 : biasedExponent - 1075;

        var scaled = mantissa * BigInteger.Pow(10, decimals);
        BigInteger rounded;
        if (exponent >= 0)
        {
            rounded = scaled << exponent;
        }
        else
        {
            var divisor = BigInteger.One << -exponent;
            rounded = BigInteger.DivRem(scaled, divisor, out var remainder);
            var comparison = (remainder << 1).CompareTo(divisor);
            if (comparison > 0 || (comparison == 0 && !rounded.IsEven)) rounded += 1;
        }

        var digits = rounded.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        var text = decimals == 0 ? digits : string.Concat(digits.AsSpan(0, digits.Length - decimals), ".", digits.AsSpan(digits.Length - decimals));
        return negative ? "-" + text : text;
    }

    /// <summary>
    /// Python's <c>repr(float)</c> (what <c>json.dumps</c> writes): shortest round-trip digits, "3.0" not "3",
    /// scientific notation below 1e-4 and from 1e16 on ("1e-05", "1e+16").
    /// </summary>
    public static string Repr(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";

        // .NET's "R" gives the same shortest round-trip digits as Python; only the layout differs.
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip[0] == '-';
        if (negative) roundTrip = roundTrip[1..];
        var exponentAt = roundTrip.IndexOfAny(['E', 'e']);
        var mantissaText = exponentAt < 0 ? roundTrip : roundTrip[..exponentAt];
        var exponent10 = exponentAt < 0 ? 0 : int.Parse(roundTrip[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var pointAt = mantissaText.IndexOf('.');
        var integerDigits = pointAt < 0 ? mantissaText : mantissaText[..pointAt];
        var fractionDigits = pointAt < 0 ? string.Empty : mantissaText[(pointAt + 1)..];
        var allDigits = integerDigits + fractionDigits;
        var leadingZeros = allDigits.Length - allDigits.TrimStart('0').Length;
        var digits = allDigits.Trim('0');
        // value = 0.d1d2…dn × 10^decimalPoint
        var decimalPoint = integerDigits.Length + exponent10 - leadingZeros;

        string body;
        var scientificExponent = decimalPoint - 1;
        if (scientificExponent < -4 || scientificExponent >= 16)
        {
            var mantissa = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
            var sign = scientificExponent < 0 ? "-" : "+";
            body = mantissa + "e" + sign + Math.Abs(scientificExponent).ToString("00", CultureInfo.InvariantCulture);
        }
        else if (decimalPoint <= 0)
        {
            body = "0." + new string('0', -decimalPoint) + digits;
        }
        else if (decimalPoint >= digits.Length)
        {
            body = digits + new string('0', decimalPoint - digits.Length) + ".0";
        }
        else
        {
            body = digits[..decimalPoint] + "." + digits[decimalPoint..];
        }

        return negative ? "-" + body : body;
    }
}
