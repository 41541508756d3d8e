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

    [Fact]
    public void Decode_EveryPlaceOfAPercentInTheBlocks_AgreesWithAByteAtATime()
    {
        // A '%' (whole, cut short, or with a digit that is none) at each place of the first blocks and their
        // edges, among '+' and plain bytes: the sixteen-byte steps and the tail must agree on every one.
        string[] pieces = ["%41", "%4", "%", "%G1", "%1g", "%%41", "+", "a", "%e2%82%ac", "%2B", "%25"];
        for (int prefix = 0; prefix < 40; prefix++)
        {
            foreach (string piece in pieces)
            {
                for (int suffix = 0; suffix < 20; suffix++)
                {
                    string encoded = new string('x', prefix) + piece + new string('y', suffix);
                    AssertAgrees(Encoding.ASCII.GetBytes(encoded));
                }
            }
        }
    }

    [Fact]
    public void Decode_EveryPlaceOfAPercentInTheWideSteps_AgreesWithAByteAtATime()
    {
        // Where the processor has it, sixty-four bytes a step, from the first escape on (here the first two
        // bytes, read one at a time before the steps, which look two bytes back): a piece at every place of the
        // first three steps and their edges, followed by too little for another step or by enough.
        string[] pieces = ["%41", "%4", "%", "%G1", "%1g", "%%41", "+", "a", "%e2%82%ac", "%2B", "%25"];
        foreach (string start in new[] { "%41", "+", "a+" })
        {
            for (int place = 0; place < 200; place++)
            {
                foreach (string piece in pieces)
                {
                    foreach (int suffix in new[] { 0, 1, 2, 3, 65, 66, 67 })
                    {
                        string encoded = start + new string('x', place) + piece + new string('y', suffix);
                        AssertAgrees(Encoding.ASCII.GetBytes(encoded));
                    }
                }
            }
        }
    }

    [Fact]
    public void Decode_RandomFormBytes_AgreesWithAByteAtATime()
    {
        var random = new Random(20261207);
        byte[] alphabet = "%%%%++0123456789abcdefABCDEFgxyz<>"u8.ToArray();
        for (int round = 0; round < 20000; round++)
        {
            byte[] encoded = new byte[random.Next(0, 400)];
            for (int i = 0; i < encoded.Length; i++)
            {
                encoded[i] = alphabet[random.Next(alphabet.Length)];
            }

            AssertAgrees(encoded);
        }
    }

    private static void AssertAgrees(byte[] encoded)
    {
        byte[] expected = new byte[encoded.Length];
        int expectedLength = FormUrlDecoder.DecodeScalar(encoded, expected, 0, 0);
        byte[] actual = new byte[encoded.Length];
        int actualLength = FormUrlDecoder.Decode(encoded, actual);

        Assert.True(expectedLength == actualLength, $"{Encoding.ASCII.GetString(encoded)}: {actualLength}, not {expectedLength}");
        if (expectedLength >= 0)
        {
            Assert.Equal(expected[..expectedLength], actual[..actualLength]);
        }
    }

    private static string? Decode(string encoded)
    {
        byte[] destination = new byte[encoded.Length];
        int written = FormUrlDecoder.Decode(Encoding.ASCII.GetBytes(encoded), destination);
        return written < 0 ? null : Encoding.UTF8.GetString(destination, 0, written);
    }
}
