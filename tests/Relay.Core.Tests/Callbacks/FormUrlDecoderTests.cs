using System.Net;
using System.Text;
using Relay.Core.Callbacks;

namespace Relay.Callbacks;

public sealed class FormUrlDecoderTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("plain", "plain")]
    [InlineData("a+b", "a b")]
    [InlineData("+++", "   ")]
    [InlineData("%3CResults+xsi%3Atype%3D%22CreateResult%22%3E", "<Results xsi:type=\"CreateResult\">")]
    [InlineData("%e2%82%ac%E2%82%AC", "€€")]
    [InlineData("end%41", "endA")]
    [InlineData("%25%2B", "%+")]
    public void Decode_WellFormed_GivesTheBytes(string encoded, string expected)
    {
        Assert.Equal(expected, Decode(encoded));
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%4")]
    [InlineData("abc%4")]
    [InlineData("%G1")]
    [InlineData("%1G")]
    [InlineData("ok+%zz")]
    public void Decode_BrokenPercent_IsRefused(string encoded)
    {
        Assert.Null(Decode(encoded));
    }

    [Fact]
    public void Decode_RandomBytesAsTheFrameworkEncodesThem_RoundTrip()
    {
        var random = new Random(20261127);
        for (int round = 0; round < 2000; round++)
        {
            byte[] value = new byte[random.Next(0, 200)];
            random.NextBytes(value);
            string encoded = Encoding.ASCII.GetString(WebUtility.UrlEncodeToBytes(value, 0, value.Length));

            byte[] destination = new byte[encoded.Length];
            int written = FormUrlDecoder.Decode(Encoding.ASCII.GetBytes(encoded), destination);

            Assert.Equal(value, destination[..written]);
        }
    }

    private static string? Decode(string encoded)
    {
        byte[] destination = new byte[encoded.Length];
        int written = FormUrlDecoder.Decode(Encoding.ASCII.GetBytes(encoded), destination);
        return written < 0 ? null : Encoding.UTF8.GetString(destination, 0, written);
    }
}
