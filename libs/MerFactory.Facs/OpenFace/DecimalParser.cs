using System.Globalization;

namespace MerFactory.Facs.OpenFace;

/// <summary>
/// Parses the plain decimals OpenFace writes ("-0.0314406", "1", "377.329") quickly and exactly: with at most 15
/// significant digits and 22 decimals, mantissa / 10^k is one correctly rounded IEEE division of two exact doubles
/// (Clinger's fast path), i.e. the same double as <see cref="double.Parse(string)"/>. Anything else goes to
/// <see cref="double.TryParse(ReadOnlySpan{byte}, NumberStyles, IFormatProvider?, out double)"/>.
/// </summary>
internal static class DecimalParser
{
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    public static bool TryParse(ReadOnlySpan<byte> utf8, out double value)
    {
        var text = utf8.Trim((byte)' ');
        if (TryParseSimple(text, out value)) return true;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryParseSimple(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && (text[i] == '-' || text[i] == '+'))
        {
            negative = text[i] == '-';
            i++;
        }

        ulong mantissa = 0;
        var significantDigits = 0;
        var fractionDigits = 0;
        var anyDigit = false;
        var seenPoint = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (seenPoint) return false;
                seenPoint = true;
                continue;
            }

            var digit = c - (uint)'0';
            if (digit > 9) return false;
            anyDigit = true;
            if (mantissa != 0 || digit != 0) significantDigits++;
            if (significantDigits > 15) return false;
            mantissa = mantissa * 10 + digit;
            if (seenPoint) fractionDigits++;
        }

        if (!anyDigit || fractionDigits >= PowersOfTen.Length) return false;
        value = mantissa / PowersOfTen[fractionDigits];
        if (negative) value = -value;
        return true;
    }
}
