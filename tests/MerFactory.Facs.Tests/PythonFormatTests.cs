using MerFactory.Facs.Formatting;

namespace MerFactory.Facs.Tests;

public class PythonFormatTests
{
    // Expected texts are what CPython prints for format(value, ".Nf") (checked with Python 3.11).
    [Theory]
    [InlineData(2.675, 2, "2.67")]     // the double is 2.67499999…
    [InlineData(0.125, 2, "0.12")]     // exact tie: half to even
    [InlineData(0.375, 2, "0.38")]     // exact tie: half to even, upwards
    [InlineData(1.005, 2, "1.00")]
    [InlineData(-1.255, 2, "-1.25")]
    [InlineData(-0.001, 2, "-0.00")]   // Python keeps the sign of a value rounded to zero
    [InlineData(10.2, 2, "10.20")]
    [InlineData(0.5, 0, "0")]
    [InlineData(1.5, 0, "2")]
    [InlineData(2.5, 0, "2")]
    [InlineData(123.456, 1, "123.5")]
    [InlineData(0.0666667, 3, "0.067")]
    [InlineData(1e22, 2, "10000000000000000000000.00")]
    [InlineData(5e-324, 3, "0.000")]
    [InlineData(0.0, 2, "0.00")]
    public void Fixed_matches_python(double value, int decimals, string expected)
    {
        Assert.Equal(expected, PythonFormat.Fixed(value, decimals));
    }

    [Theory]
    [InlineData(3.0, "3.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1234567890123456.0, "1234567890123456.0")]
    [InlineData(1.45, "1.45")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    [InlineData(1e100, "1e+100")]
    [InlineData(123456789.123, "123456789.123")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(2.4000000000000004, "2.4000000000000004")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    public void Repr_matches_python(double value, string expected)
    {
        Assert.Equal(expected, PythonFormat.Repr(value));
    }

    [Fact]
    public void Fixed_and_AppendFixed_agree_with_correctly_rounded_formatting_away_from_ties()
    {
        // .NET's "F" format is correctly rounded too; it differs from Python only on exact ties (half away from zero),
        // which need value * 2^(decimals+1) to be an integer and are left out here.
        var random = new Random(11);
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < 20000; i++)
        {
            var value = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 12));
            var decimals = random.Next(0, 8);
            if (Math.Abs(value * Math.Pow(2, decimals + 1)) % 1 == 0) continue;

            var expected = value.ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(expected, PythonFormat.Fixed(value, decimals));
            builder.Clear();
            Assert.Equal(expected, PythonFormat.AppendFixed(builder, value, decimals).ToString());
        }
    }

    [Theory]
    [InlineData(0.125, 2, "0.12")]
    [InlineData(-0.001, 2, "-0.00")]
    [InlineData(0.0004, 3, "0.000")]
    [InlineData(1234.5678, 0, "1235")]
    [InlineData(double.NaN, 2, "nan")]
    [InlineData(1e30, 1, "1000000000000000019884624838656.0")]
    public void AppendFixed_matches_Fixed_on_edge_values(double value, int decimals, string expected)
    {
        Assert.Equal(expected, PythonFormat.AppendFixed(new System.Text.StringBuilder(), value, decimals).ToString());
        Assert.Equal(expected, PythonFormat.Fixed(value, decimals));
    }

    [Fact]
    public void Fixed_is_independent_of_the_current_culture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("1.94", PythonFormat.Fixed(1.94, 2));
            Assert.Equal("1.94", PythonFormat.Repr(1.94));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }
}
