using System.Text;
using Relay.Core.Callbacks;

namespace Relay.Callbacks;

public sealed class CallbackFormReaderTests
{
    private static CallbackReadResult Read(string body) => CallbackFormReader.Read(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void Read_AllTenFields_FillsEveryField()
    {
        var result = Read("RequestID=r1&ConversationID=c1&OverallStatusCode=OK&StatusCode=OK&StatusMessage=m&ErrorCode=7"
            + "&RequestType=Asynchronous&ResultType=Asynchronous&ResultDetailXML=%3Cx%2F%3E&SequenceCode=2");

        Assert.True(result.IsValid);
        Assert.Equal(
            new MarketingCloudCallback("r1", "c1", "OK", "OK", "m", "7", "Asynchronous", "Asynchronous", "<x/>", "2"),
            result.Callback);
    }

    [Theory]
    [InlineData("RequestID=a+b", "a b")]
    [InlineData("RequestID=a%2Bb", "a+b")]
    [InlineData("RequestID=100%25", "100%")]
    [InlineData("RequestID=%C3%A9t%C3%A9+%E2%9C%93", "été ✓")]
    [InlineData("RequestID=caf%c3%a9", "café")]
    [InlineData("requestid=lower", "lower")]
    [InlineData("REQUESTID=upper", "upper")]
    [InlineData("Request%49D=encoded-name", "encoded-name")]
    [InlineData("&&RequestID=x&&", "x")]
    [InlineData("RequestID=a=b", "a=b")]
    public void Read_Encodings_DecodeStrictly(string body, string expected)
    {
        var result = Read(body);

        Assert.True(result.IsValid);
        Assert.Equal(expected, result.Callback.RequestId);
    }

    [Fact]
    public void Read_EmptyFields_AreNull()
    {
        var result = Read("RequestID=r&ConversationID=&StatusMessage&ErrorCode=");

        Assert.Null(result.Callback.ConversationId);
        Assert.Null(result.Callback.StatusMessage);
        Assert.Null(result.Callback.ErrorCode);
    }

    [Theory]
    [InlineData("", CallbackProblem.MissingRequestId)]
    [InlineData("OverallStatusCode=OK", CallbackProblem.MissingRequestId)]
    [InlineData("RequestID=", CallbackProblem.MissingRequestId)]
    [InlineData("RequestID=a&RequestID=b", CallbackProblem.ConflictingField)]
    [InlineData("RequestID=a%2", CallbackProblem.MalformedPercentEncoding)]
    [InlineData("RequestID=a%zz", CallbackProblem.MalformedPercentEncoding)]
    [InlineData("RequestID=%C3%28", CallbackProblem.NotUtf8)]
    [InlineData("RequestID=%FF", CallbackProblem.NotUtf8)]
    [InlineData("Request%G1D=x", CallbackProblem.MalformedPercentEncoding)]
    [InlineData("RequestID=a%00b", CallbackProblem.ControlCharacterInRequestId)]
    [InlineData("RequestID=a%0Ab", CallbackProblem.ControlCharacterInRequestId)]
    [InlineData("RequestID=a%C2%85", CallbackProblem.ControlCharacterInRequestId)]
    public void Read_Nonsense_ReportsTheProblem(string body, CallbackProblem expected)
    {
        var result = Read(body);

        Assert.False(result.IsValid);
        Assert.Equal(expected, result.Problem);
        Assert.NotNull(result.Describe());
    }

    [Fact]
    public void Read_DuplicatedFieldWithSameValue_IsValid()
    {
        var result = Read("RequestID=a&RequestID=a");

        Assert.True(result.IsValid);
        Assert.Equal("a", result.Callback.RequestId);
    }

    [Fact]
    public void Read_ConflictingField_NamesTheFieldButNotItsValues()
    {
        var result = Read("RequestID=a&StatusCode=secret1&StatusCode=secret2");

        Assert.Equal(CallbackField.StatusCode, result.ProblemField);
        Assert.Contains("StatusCode", result.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ThousandsOfUnknownFields_AreSkipped()
    {
        var body = new StringBuilder("RequestID=r");
        for (int i = 0; i < 20_000; i++)
        {
            body.Append("&f").Append(i).Append("=%ZZ");
        }

        var result = Read(body.ToString());

        Assert.True(result.IsValid);
        Assert.Equal("r", result.Callback.RequestId);
    }

    [Fact]
    public void Read_LargeValue_IsDecodedWhole()
    {
        string xml = new('x', 1_000_000);

        var result = Read("RequestID=r&ResultDetailXML=" + xml);

        Assert.Equal(xml, result.Callback.ResultDetailXml);
    }

    [Fact]
    public void Read_Disposed_GivesResultDetailXmlBack_AndItCannotBeReadAfter()
    {
        var read = CallbackFormReader.Read("RequestID=r&ResultDetailXML=%3CR%2F%3E"u8);
        Assert.Equal("<R/>", read.Callback.ResultDetailXml);

        read.Dispose();

        Assert.Throws<ObjectDisposedException>(() => read.Callback.ResultDetailXml);
        read.Dispose();
    }

    [Fact]
    public void ToString_ShowsResultDetailXmlBySize_AlsoOnceItsBytesAreGivenBack()
    {
        var read = CallbackFormReader.Read("RequestID=r&StatusCode=OK&ResultDetailXML=%3CR%2F%3E"u8);
        string before = read.ToString();
        read.Dispose();

        Assert.Equal(before, read.ToString());
        Assert.Contains("RequestId = r,", before, StringComparison.Ordinal);
        Assert.Contains("StatusCode = OK,", before, StringComparison.Ordinal);
        Assert.Contains("ResultDetailXml = (4 bytes),", before, StringComparison.Ordinal);
        Assert.DoesNotContain("<R/>", before, StringComparison.Ordinal);
        Assert.Contains("ResultDetailXml = (4 bytes)", (MarketingCloudCallback.Empty with { ResultDetailXml = "<R/>" }).ToString(), StringComparison.Ordinal);
        Assert.Contains("ResultDetailXml = ,", MarketingCloudCallback.Empty.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ResultDetailXML=%3CR%2F%3E&ResultDetailXML=%3CR%2F%3E", CallbackProblem.None)]
    [InlineData("ResultDetailXML=%3CR%2F%3E&ResultDetailXML=%3CS%2F%3E", CallbackProblem.ConflictingField)]
    [InlineData("ResultDetailXML=%3CR%2F%3E&ResultDetailXML=", CallbackProblem.ConflictingField)]
    [InlineData("ResultDetailXML=%E6%97", CallbackProblem.NotUtf8)]
    [InlineData("ResultDetailXML=%3", CallbackProblem.MalformedPercentEncoding)]
    public void Read_ResultDetailXml_IsCheckedAsTheOtherFieldsAre(string fields, CallbackProblem expected)
    {
        using var read = CallbackFormReader.Read(Encoding.ASCII.GetBytes("RequestID=r&" + fields));

        Assert.Equal(expected, read.Problem);
    }
}
