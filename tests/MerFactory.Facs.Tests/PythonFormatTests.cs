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
