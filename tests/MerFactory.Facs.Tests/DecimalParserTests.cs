using System.Globalization;
using System.Text;
using MerFactory.Facs.OpenFace;

namespace MerFactory.Facs.Tests;

public class DecimalParserTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData(" 0.961958")]
    [InlineData("-0.0314406 ")]
    [InlineData("377.329")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("+2.5")]
    [InlineData("0.000000000000000000001234")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("1e-05")]
    [InlineData("2.675")]
    [InlineData("9007199254740993")]
    public void Gives_the_same_double_as_double_parse(string text)
    {
        Assert.True(DecimalParser.TryParse(Encoding.UTF8.GetBytes(text), out var value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("1.2.3")]
    [InlineData("abc")]
    public void Rejects_what_is_not_a_number(string text)
    {
        Assert.False(DecimalParser.TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void Random_decimals_parse_bit_exactly()
    {
        var random = new Random(3);
        for (var i = 0; i < 50000; i++)
        {
            var digits = random.Next(1, 19);
            var text = new StringBuilder(random.Next(2) == 0 ? "-" : "");
            var point = random.Next(0, digits + 1);
            for (var d = 0; d < digits; d++)
            {
                if (d == point && d > 0) text.Append('.');
                text.Append((char)('0' + random.Next(10)));
            }

            var s = text.ToString();
            Assert.True(DecimalParser.TryParse(Encoding.UTF8.GetBytes(s), out var value), s);
            Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(s, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(value));
        }
    }
}
