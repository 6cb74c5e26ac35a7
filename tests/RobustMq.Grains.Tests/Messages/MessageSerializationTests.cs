using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Grains.Tests.Messages;

/// <summary>
/// The serialized form of a message (between silos, in grain state) keeps absent and empty properties apart: a
/// message with an empty Content Type, Response Topic or Correlation Data is not the message without them.
/// </summary>
public sealed class MessageSerializationTests
{
    private readonly Serializer _serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public void Absent_properties_stay_absent()
    {
        var message = new BrokerMessage("t", new byte[] { 1 }, 1, true, new MessageProperties(ContentType: "t"));

        var copy = RoundTrip(message);

        Assert.Equal("t", copy.Properties!.ContentType);
        Assert.Null(copy.Properties.ResponseTopic);
        Assert.Null(copy.Properties.CorrelationData);
        Assert.Null(copy.Properties.UserProperties);
        Assert.Null(copy.Properties.PayloadFormatIndicator);
        Assert.Null(copy.Properties.MessageExpiryInterval);
    }

    [Fact]
    public void Empty_properties_stay_present_and_empty()
    {
        var message = new BrokerMessage("t", new byte[] { 1 }, 1, true, new MessageProperties(
            PayloadFormatIndicator: 0, ContentType: "", ResponseTopic: "", CorrelationData: [], UserProperties: [new("", "")], MessageExpiryInterval: 0));

        var copy = RoundTrip(new WillRecord(message, 0)).Message.Properties!;

        Assert.Equal(((byte?)0, "", "", (uint?)0), (copy.PayloadFormatIndicator, copy.ContentType, copy.ResponseTopic, copy.MessageExpiryInterval));
        Assert.NotNull(copy.CorrelationData);
        Assert.Empty(copy.CorrelationData);
        Assert.Equal([new KeyValuePair<string, string>("", "")], copy.UserProperties!);
    }

    private T RoundTrip<T>(T value)
        where T : class => _serializer.Deserialize<T>(_serializer.SerializeToArray(value))!;
}
