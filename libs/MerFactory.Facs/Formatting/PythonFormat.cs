using System.Globalization;
using System.Numerics;
using System.Text;

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
        var mantissa = biasedExponent == 0 ? fraction : fraction | (1L << 52);
        var exponent = biasedExponent == 0 ? -1074 : biasedExponent - 1075;

        var roundedDigits = decimals <= MaxFastDecimals && exponent <= 0
            ? RoundScaledFast((ulong)mantissa, exponent, decimals).ToString(CultureInfo.InvariantCulture)
            : RoundScaledExact(mantissa, exponent, decimals).ToString(CultureInfo.InvariantCulture);

        var digits = roundedDigits.PadLeft(decimals + 1, '0');
        var text = decimals == 0 ? digits : string.Concat(digits.AsSpan(0, digits.Length - decimals), ".", digits.AsSpan(digits.Length - decimals));
        return negative ? "-" + text : text;
    }

    /// <summary>Appends <see cref="Fixed"/>'s text without allocating for the usual magnitudes (CSV writing).</summary>
    public static StringBuilder AppendFixed(StringBuilder builder, double value, int decimals)
    {
        if (decimals > MaxFastDecimals || !double.IsFinite(value)) return builder.Append(Fixed(value, decimals));

        var bits = BitConverter.DoubleToInt64Bits(value);
        var biasedExponent = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        var mantissa = biasedExponent == 0 ? fraction : fraction | (1L << 52);
        var exponent = biasedExponent == 0 ? -1074 : biasedExponent - 1075;
        if (exponent > 0) return builder.Append(Fixed(value, decimals));

        var rounded = RoundScaledFast((ulong)mantissa, exponent, decimals);
        if (rounded > ulong.MaxValue) return builder.Append(Fixed(value, decimals));

        Span<char> digits = stackalloc char[24];
        ((ulong)rounded).TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        if (bits < 0) builder.Append('-');
        var integerDigits = length - decimals;
        if (integerDigits <= 0)
        {
            builder.Append('0');
            if (decimals > 0) builder.Append('.').Append('0', -integerDigits).Append(digits[..length]);
        }
        else
        {
            builder.Append(digits[..integerDigits]);
            if (decimals > 0) builder.Append('.').Append(digits[integerDigits..length]);
        }

        return builder;
    }

    // mantissa < 2^53 and 10^6 < 2^20: the scaled mantissa fits in 73 bits, well inside UInt128.
    private const int MaxFastDecimals = 6;

    private static readonly ulong[] PowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

    /// <summary>round-half-even(mantissa · 2^exponent · 10^decimals) for exponent ≤ 0, in 128-bit integers.</summary>
    private static UInt128 RoundScaledFast(ulong mantissa, int exponent, int decimals)
    {
        var scaled = (UInt128)mantissa * PowersOfTen[decimals];
        var shift = -exponent;
        if (shift == 0) return scaled;
        // Below 2^-127 the scaled value is far under one half: it rounds to zero.
        if (shift >= 127) return UInt128.Zero;

        var quotient = scaled >> shift;
        var remainder = scaled & ((UInt128.One << shift) - 1);
        var half = UInt128.One << (shift - 1);
        if (remainder > half || (remainder == half && (quotient & 1) == 1)) quotient++;
        return quotient;
    }

    private static BigInteger RoundScaledExact(BigInteger mantissa, int exponent, int decimals)
    {
        var scaled = mantissa * BigInteger.Pow(10, decimals);
        if (exponent >= 0) return scaled << exponent;

        var divisor = BigInteger.One << -exponent;
        var rounded = BigInteger.DivRem(scaled, divisor, out var remainder);
        var comparison = (remainder << 1).CompareTo(divisor);
        if (comparison > 0 || (comparison == 0 && !rounded.IsEven)) rounded += 1;
        return rounded;
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
